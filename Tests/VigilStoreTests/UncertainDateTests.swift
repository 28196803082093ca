import Testing

@testable import VigilStore

@Suite("Uncertain dates")
struct UncertainDateTests {
    @Test(arguments: [
        ("2017", "2017-01-01", "2017-12-31"),
        ("2017-04", "2017-04-01", "2017-04-30"),
        ("2017-02", "2017-02-01", "2017-02-28"),
        ("2016-02", "2016-02-01", "2016-02-29"),
        ("2000-02", "2000-02-01", "2000-02-29"),
        ("1900-02", "1900-02-01", "1900-02-28"),
        ("2017-12", "2017-12-01", "2017-12-31"),
        ("2017-04-01", "2017-04-01", "2017-04-01"),
        ("2016-02-29", "2016-02-29", "2016-02-29"),
        ("2000-02-29", "2000-02-29", "2000-02-29"),
        ("0001", "0001-01-01", "0001-12-31"),
        ("9999-12-31", "9999-12-31", "9999-12-31"),
        ("2017~", "2017-01-01", "2017-12-31"),
        ("2017?", "2017-01-01", "2017-12-31"),
        ("2017%", "2017-01-01", "2017-12-31"),
        ("2017-04~", "2017-04-01", "2017-04-30"),
        ("2017-04-01?", "2017-04-01", "2017-04-01"),
        ("2017-04-24%", "2017-04-24", "2017-04-24"),
        ("2017-02/2017-03", "2017-02-01", "2017-03-31"),
        ("2017/2018", "2017-01-01", "2018-12-31"),
        ("2017-04-01/2017-04-01", "2017-04-01", "2017-04-01"),
        ("2017-03-15/2017-03", "2017-03-15", "2017-03-31"),
        ("2017/2017-06", "2017-01-01", "2017-06-30"),
        ("2017-02~/2017-03?", "2017-02-01", "2017-03-31"),
        ("2016%/2017-01-05~", "2016-01-01", "2017-01-05"),
    ])
    func acceptsClosedForms(text: String, earliest: String, latest: String) throws {
        let date = try UncertainDate(parsing: text)
        #expect(date.text == text)
        #expect(date.earliest == earliest)
        #expect(date.latest == latest)
    }

    @Test(arguments: [
        ("2017-02/..", "2017-02-01" as String?, nil as String?),
        ("2017-02-10~/..", "2017-02-10", nil),
        ("../2017-03", nil, "2017-03-31"),
        ("../2017?", nil, "2017-12-31"),
    ])
    func acceptsOpenIntervals(text: String, earliest: String?, latest: String?) throws {
        let date = try UncertainDate(parsing: text)
        #expect(date.text == text)
        #expect(date.earliest == earliest)
        #expect(date.latest == latest)
    }

    @Test(arguments: [
        "", " ", "2017 ", " 2017", "2017-04 ", "2017 /2018", "2017-04-01\n", "2017\t",
        "2017-02-30", "2017-02-29", "1900-02-29", "2017-04-31", "2017-04-00", "2017-01-32",
        "2017-13", "2017-00", "0000", "0000-01-01",
        "17", "17-04", "201", "20170", "12017", "2017-4", "2017-04-1", "2017-004", "2017-4-01",
        "2017/2016", "2017-03/2017-02", "2017-03-02/2017-03-01",
        "2017-04-01T10:00", "2017-04-01T10:00Z", "2017-04-01 10:00",
        "..", "../..", "2017/", "/2017", "/", "2017//2018", "2017/2018/2019", ".../2017", "2017/.",
        "2017~~", "2017?~", "2017%?", "2017-04~?", "~2017", "?2017", "2017-~04",
        "2017-", "2017--04", "-2017", "+2017", "2017-04-01-01", "２０１７", "2017x", "20l7",
        "2017-04-01~/..~", "2017.04", "2017_04", "Y2017", "2017-W14", "2017-21",
    ])
    func refuses(text: String) {
        #expect(throws: UncertainDateError.self, "accepted \(text.debugDescription)") {
            try UncertainDate(parsing: text)
        }
    }

    @Test func messagesNameTheProblem() throws {
        func message(_ text: String) throws -> String {
            let error = try #require(throws: UncertainDateError.self) {
                try UncertainDate(parsing: text)
            }
            return error.message
        }
        #expect(try message("") == "a date must not be empty")
        #expect(try message("2017-02-30").contains("day 30 does not exist in 2017-02"))
        #expect(try message("2017-02-29").contains("day 29 does not exist in 2017-02"))
        #expect(try message("2017-13").contains("month 13 does not exist"))
        #expect(try message("2017/2016").contains("ends before it starts"))
        #expect(try message("../..").contains("open at both ends"))
        #expect(try message("2017/").contains("use '..'"))
        #expect(try message("2017 ").contains("whitespace"))
        #expect(try message("2017~?").contains("one qualifier"))
        #expect(try message("0000").contains("0001 and 9999"))
        #expect(try message("17-04").contains("expected YYYY"))
        #expect(try message("2017-04-01T10:00").contains("\"2017-04-01T10:00\""))
    }

    @Test func boundsSortChronologicallyAsText() throws {
        let dates = try ["2017-03", "2016", "2017-02-15", "0999-01"].map {
            try UncertainDate(parsing: $0)
        }
        let sorted = dates.compactMap(\.earliest).sorted()
        #expect(sorted == ["0999-01-01", "2016-01-01", "2017-02-15", "2017-03-01"])
    }

    @Test func equalityFollowsText() throws {
        #expect(try UncertainDate(parsing: "2017") != UncertainDate(parsing: "2017~"))
        #expect(try UncertainDate(parsing: "2017-02") == UncertainDate(parsing: "2017-02"))
    }

    @Test(arguments: [(2016, 29), (2017, 28), (2000, 29), (1900, 28), (2400, 29), (2100, 28)])
    func februaryLength(year: Int, days: Int) {
        #expect(UncertainDate.daysInMonth(2, year: year) == days)
    }

    /// Plain days take a shortcut; it must accept and refuse exactly what the rules do. Every
    /// month 0–13 and day 0–32 of years around the edges, checked against the calendar here.
    @Test func plainDaysAreCheckedLikeEveryOtherForm() throws {
        for year in [0, 1, 999, 1900, 2000, 2023, 2024, 9999] {
            for month in 0...13 {
                for day in 0...32 {
                    func pad(_ value: Int, _ width: Int) -> String {
                        String(repeating: "0", count: width - String(value).count) + String(value)
                    }
                    let text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
                    let valid =
                        year >= 1 && (1...12).contains(month) && day >= 1
                        && day <= UncertainDate.daysInMonth(month, year: year)
                    if valid {
                        let date = try UncertainDate(parsing: text)
                        #expect(date.earliest == text && date.latest == text && date.text == text)
                    } else {
                        #expect(throws: UncertainDateError.self, "accepted \(text)") {
                            try UncertainDate(parsing: text)
                        }
                    }
                }
            }
        }
        for text in ["2024-0101", "2024-01-1a", "2024/01-01", " 2024-01-1", "2024-01-01 ", "２０２４-01-01", "2024-01--1"] {
            #expect(throws: UncertainDateError.self, "accepted \(text)") { try UncertainDate(parsing: text) }
        }
    }
}
