/// Validation of `country` fields: ISO 3166-1 alpha-2 codes.
///
/// A code is valid when it is exactly two uppercase ASCII letters and either officially assigned
/// by ISO 3166/MA or in a user-assigned range (`AA`, `QM`–`QZ`, `XA`–`XZ`, `ZZ`), which
/// organisations use for places without an assigned code (Kosovo is commonly `XK`). Reserved codes
/// such as `UK` and `EU` are refused: they are not countries in the standard, and accepting them
/// would split one country's records across two codes.
public enum CountryCode {
    /// Whether `code` is an assigned or user-assigned ISO 3166-1 alpha-2 code.
    public static func isValid(_ code: String) -> Bool {
        let utf8 = code.utf8
        guard utf8.count == 2,
            let first = utf8.first, let second = utf8.last,
            isUppercaseLetter(first), isUppercaseLetter(second)
        else { return false }
        if isUserAssigned(first, second) { return true }
        return assignedTable[tableIndex(first, second)]
    }

    /// Whether the two letters fall in a user-assigned range.
    private static func isUserAssigned(_ first: UInt8, _ second: UInt8) -> Bool {
        switch first {
        case UInt8(ascii: "A"): return second == UInt8(ascii: "A")
        case UInt8(ascii: "Q"): return second >= UInt8(ascii: "M")
        case UInt8(ascii: "X"): return true
        case UInt8(ascii: "Z"): return second == UInt8(ascii: "Z")
        default: return false
        }
    }

    private static func isUppercaseLetter(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    private static func tableIndex(_ first: UInt8, _ second: UInt8) -> Int {
        Int(first - UInt8(ascii: "A")) * 26 + Int(second - UInt8(ascii: "A"))
    }

    /// The 249 officially assigned ISO 3166-1 alpha-2 codes, in alphabetical order.
    static let assignedCodes: [String] = """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
        BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
        DE DJ DK DM DO DZ \
        EC EE EG EH ER ES ET \
        FI FJ FK FM FO FR \
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
        HK HM HN HR HT HU \
        ID IE IL IM IN IO IQ IR IS IT \
        JE JM JO JP \
        KE KG KH KI KM KN KP KR KW KY KZ \
        LA LB LC LI LK LR LS LT LU LV LY \
        MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
        NA NC NE NF NG NI NL NO NP NR NU NZ \
        OM \
        PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
        QA \
        RE RO RS RU RW \
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
        TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
        UA UG UM US UY UZ \
        VA VC VE VG VI VN VU \
        WF WS \
        YE YT \
        ZA ZM ZW
        """.split(separator: " ").map(String.init)

    /// A 26×26 membership table of `assignedCodes`, so validation is two comparisons and a load.
    private static let assignedTable: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        for code in assignedCodes {
            let utf8 = Array(code.utf8)
            table[tableIndex(utf8[0], utf8[1])] = true
        }
        return table
    }()
}
