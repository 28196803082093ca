import Foundation
import Testing

@testable import VigilJSON
@testable import VigilSQLite
@testable import VigilStore

/// `vigil_snippet` answers as FTS5's `snippet()` does for ordinary texts, stays linear for huge
/// ones, and stops at the connection's deadline; read budgets interrupt reads.
@Suite struct SnippetFunctionTests {
    /// An in-memory FTS5 table with the incidents' tokenizer and both snippet functions.
    static func table(_ rows: [(String, String)]) throws -> Database {
        let db = try Database(path: ":memory:", mode: .readWriteCreate)
        try db.execute("CREATE VIRTUAL TABLE t USING fts5(title, summary, tokenize = 'unicode61 remove_diacritics 2')")
        for (title, summary) in rows {
            try db.makeStatement("INSERT INTO t (title, summary) VALUES (?, ?)").run([.text(title), .text(summary)])
        }
        try SnippetFunction.register(on: db)
        return db
    }

    static func snippets(_ db: Database, _ match: String, function: String) throws -> [String] {
        var out: [String] = []
        try db.makeStatement("SELECT \(function)(t, -1, '[', ']', '…', 12) FROM t WHERE t MATCH ? ORDER BY rowid")
            .forEachRow([.text(match)]) { row in out.append(row.text(0) ?? "") }
        return out
    }

    @Test func ordinaryTextsGetFTS5sSnippet() throws {
        let rows = [
            ("Mass detention in Argun", "Men were held in the former military commandant's office in Argun, Chechnya."),
            ("Secret prison", "Novaya Gazeta reported six secret prisons; one in Tsotsi-Yurt."),
            ("Short", "Argun"),
            ("Задержания в Аргуне", "Мужчин удерживали в бывшей комендатуре в Аргуне и пытали."),
            (
                "Two words",
                "The detention of men presumed gay, the torture and the extortion of their families went on."
            ),
            // Sentences: FTS5 prefers a window that starts where the match's sentence does.
            (
                "Sentences",
                "Nothing here concerns the place at all, and this first sentence runs on for a while. "
                    + "Then the men were moved to Argun: there the prison held them for weeks, and Argun's "
                    + "commandant denied it. A third sentence closes the account of torture without naming it."
            ),
            (
                "Repeats",
                String(repeating: "word filler ", count: 300) + "torture. men "
                    + String(repeating: "men word ", count: 50)
            ),
        ]
        let db = try Self.table(rows)
        for match in [
            #""Argun""#, #""prison""#, #""Tsotsi""#, #""аргуне""#, #""torture" "men""#, #""tsotsi-yurt""#, #""word""#,
            #""word" "men""#,
            #""prison" OR "argun""#, #"title : "short""#, #""the" "commandant""#,
        ] {
            let ours = try Self.snippets(db, match, function: SnippetFunction.name)
            let theirs = try Self.snippets(db, match, function: "snippet")
            #expect(ours == theirs, "\(match)")
        }
    }

    @Test func aLongTextIsCutToTheWindowAroundItsMatches() throws {
        let filler = String(repeating: "filler ", count: 200)
        let db = try Self.table([("t", filler + "the Argun site " + filler)])
        let snippet = try #require(try Self.snippets(db, #""argun""#, function: SnippetFunction.name).first)
        #expect(snippet.hasPrefix("…") && snippet.hasSuffix("…"), "\(snippet)")
        #expect(snippet.contains("[Argun]"))
        #expect(snippet.split(separator: " ").count == 12, "\(snippet)")
    }

    @Test func hugeTextsCostLinearTime() throws {
        let huge = String(repeating: "word filler ", count: 5000)
        let db = try Self.table((0..<60).map { ("huge \($0)", huge) })
        let start = Date()
        let snippets = try Self.snippets(db, #""word""#, function: SnippetFunction.name)
        let elapsed = Date().timeIntervalSince(start)
        #expect(snippets.count == 60)
        #expect(snippets.allSatisfy { $0.contains("[word]") })
        // FTS5's snippet() took 18.6 s for these rows; linear work is well under one.
        #expect(elapsed < 2, "\(elapsed) s")
    }

    @Test func aPassedDeadlineInterruptsTheSnippet() throws {
        let db = try Self.table([("t", "Argun")])
        db.capDeadline(at: 1)  // long past
        #expect(throws: SQLiteError.self) { _ = try Self.snippets(db, #""argun""#, function: SnippetFunction.name) }
        db.setTimeLimit(nil)
        #expect(try Self.snippets(db, #""argun""#, function: SnippetFunction.name) == ["[Argun]"])
    }

    @Test func aReadBudgetInterruptsReadsAndSaysSo() throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let items = (0..<400).map { index in
            JSONObject([("title", .string("incident \(index)")), ("summary", .string("a summary \(index)"))])
        }
        _ = try store.createMany(.incidents, items, as: Caller.admin)
        var query = ListQuery()
        query.limit = 400
        query.filters = [Filter(field: "summary", op: .contains, value: "summary")]
        #expect(try store.list(.incidents, query, as: Caller.admin).records.count == 400)
        #expect(throws: StoreError.overBudget) {
            try store.withinReadBudget(.zero) { _ = try store.list(.incidents, query, as: Caller.admin) }
        }
        // Outside the budget the same read answers, and a budget it fits in changes nothing.
        #expect(
            try store.withinReadBudget(.seconds(5)) {
                try store.list(.incidents, query, as: Caller.admin).records.count
            } == 400)
    }
}
