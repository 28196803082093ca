/// Turns what a user typed into an FTS5 query that can only mean "these words".
///
/// Each whitespace-separated piece becomes a quoted phrase (quotes doubled), so `"`, `*`, `-`,
/// `NEAR(`, `AND`, column filters and the like are text, never syntax: no input can cause an FTS
/// syntax error or widen a search.
enum FullTextQuery {
    /// The most words a query may have: each is a phrase FTS5 must match in every row, and the
    /// snippet of each hit is built for all of them.
    static let maximumWords = 32
    /// The longest query text, in UTF-8 bytes.
    static let maximumBytes = 1000

    /// The FTS5 MATCH expression for `text`, or a `badQuery` naming `q` when it has no word, more
    /// than ``maximumWords`` words or more than ``maximumBytes`` bytes: a word beyond the limit
    /// is refused, never dropped, since dropping it would answer a different question.
    static func expression(for text: String) throws(StoreError) -> String {
        // Control characters separate words too: FTS5 reads a query string only up to a NUL, so
        // one inside a quoted word would leave the quote open (a syntax error, not an answer).
        let words = text.split(whereSeparator: { character in
            character.isWhitespace
                || character.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        })
        let limits = "give 1 to \(maximumWords) words (at most \(maximumBytes) bytes)"
        guard !words.isEmpty else { throw .badQuery(parameter: "q", message: "\(limits); this has none") }
        guard words.count <= maximumWords else {
            throw .badQuery(parameter: "q", message: "\(limits); this has \(words.count) words: search for fewer")
        }
        guard text.utf8.count <= maximumBytes else {
            throw .badQuery(parameter: "q", message: "\(limits); this has \(text.utf8.count) bytes")
        }
        return words.map { "\"" + $0.replacingAll("\"", with: "\"\"") + "\"" }.joined(separator: " ")
    }

    /// Markers around matches in snippets: private-use characters that cannot appear in a
    /// record's text after ``Snippet/render(_:)`` escapes it.
    static let open = "\u{E000}"
    static let close = "\u{E001}"
}

/// Snippets are returned with the matched words in `<mark>…</mark>` and everything else
/// HTML-escaped, so a dashboard can show them as HTML without trusting the record's text.
enum Snippet {
    static func render(_ raw: String) -> String {
        var out = ""
        out.reserveCapacity(raw.utf8.count + 16)
        for scalar in raw.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\u{E000}": out += "<mark>"
            case "\u{E001}": out += "</mark>"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Substring {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
