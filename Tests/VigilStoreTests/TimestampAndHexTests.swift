import Crypto
import Testing

@testable import VigilSQLite
@testable import VigilStore

/// The fixed-width forms every stored timestamp and hash take: text order must be time order,
/// and a hash must read the same as any other tool's lowercase hex.
@Suite struct TimestampAndHexTests {
    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (951_782_400, 7, "2000-02-29T00:00:00.007Z"),
        (1_795_963_485, 123, "2026-11-29T14:44:45.123Z"),
        (253_402_300_799, 999, "9999-12-31T23:59:59.999Z"),
    ])
    func formatsFixedWidthUTC(seconds: Int, milliseconds: Int, expected: String) {
        #expect(Timestamp.format(seconds: seconds, milliseconds: milliseconds) == expected)
    }

    @Test(arguments: [
        ("2017-02-30T00:00:00Z", false), ("2017-02-29", false), ("2016-02-29T12:00:00Z", true), ("2017-04-31", false),
        ("2017-04-30T23:59:59.5Z", true), ("2017-13-01", false), ("2017-00-10", false), ("2017-01-00", false),
    ])
    func normalizeRefusesDaysTheMonthDoesNotHave(text: String, valid: Bool) {
        #expect((Timestamp.normalize(text) != nil) == valid, "\(text)")
    }

    @Test func nowIsTwentyFourCharactersAndSortsWithTime() {
        let first = Timestamp.now()
        let second = Timestamp.now()
        #expect(first.utf8.count == 24)
        #expect(first <= second)
        #expect(Timestamp.normalize(first) != nil)
    }

    @Test func sha256IsLowercaseHex() {
        // FIPS 180-2 test vector.
        #expect(Hex.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func constantTimeEqualityAgreesWithEquality() {
        let secret = "vgl_sWJSycaLbEMMQ6_FlYMSqqxhBNkobkIcWAdD4ZI1Hks"
        #expect(constantTimeEqual(secret, String(secret.utf8.map { Character(Unicode.Scalar($0)) })))
        #expect(!constantTimeEqual(secret, "X" + secret.dropFirst()))
        #expect(!constantTimeEqual(secret, secret.dropLast() + "X"))
        #expect(!constantTimeEqual(secret, secret + "a"))
        #expect(!constantTimeEqual(secret, ""))
        #expect(constantTimeEqual("", ""))
        #expect(constantTimeEqual("Zoë", "Zoë") && !constantTimeEqual("Zoë", "Zoe"))
    }
}
