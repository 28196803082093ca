import Testing

@testable import VigilStore

@Suite("Country codes")
struct CountryCodeTests {
    @Test func assignedListHas249UniqueSortedTwoLetterCodes() {
        let codes = CountryCode.assignedCodes
        #expect(codes.count == 249)
        #expect(Set(codes).count == 249)
        #expect(codes == codes.sorted())
        #expect(codes.allSatisfy { $0.utf8.count == 2 && $0.allSatisfy { $0.isASCII && $0.isUppercase } })
        #expect(codes.allSatisfy(CountryCode.isValid))
    }

    @Test func assignedListContainsNoUserAssignedCodes() {
        let userAssigned = CountryCode.assignedCodes.filter {
            $0 == "AA" || $0 == "ZZ" || $0.hasPrefix("X") || ($0.hasPrefix("Q") && $0 >= "QM")
        }
        #expect(userAssigned.isEmpty)
    }

    @Test(arguments: [
        "RU", "GB", "US", "FR", "DE", "UA", "GE", "TR", "CN", "BR", "ZA", "AD", "ZW", "AX",
        "BQ", "CW", "SX", "SS", "PS", "TW", "HK", "EH", "AQ", "BV", "UM", "QA", "OM", "KP",
    ])
    func acceptsAssignedCodes(code: String) {
        #expect(CountryCode.isValid(code))
    }

    @Test(arguments: ["AA", "QM", "QN", "QS", "QZ", "XA", "XK", "XX", "XZ", "ZZ"])
    func acceptsUserAssignedCodes(code: String) {
        #expect(CountryCode.isValid(code))
    }

    @Test(arguments: [
        "UK", "EU", "EZ", "UN", "AC", "CP", "DG", "EA", "IC", "TA", "FX", "SU", "YU", "CS", "AN",
        "ZY", "ZX", "QL", "QB", "AB", "OA",
        "ru", "Ru", "rU", "xk", "", "R", "RUS", "XKK", "1A", "A1", "12", "R ", " R", "R-",
        "ÀB", "ＲＵ",
    ])
    func refuses(code: String) {
        #expect(!CountryCode.isValid(code))
    }
}
