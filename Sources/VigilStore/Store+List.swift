import Crypto
import VigilJSON
import VigilSQLite

extension Store {
    /// A page of records matching `query` that the caller may see, in the asked order.
    ///
    /// Pagination is by keyset: the cursor holds the last row's sort values, so walking every
    /// page returns each record exactly once even while records are added between pages.
    public func list(_ kind: ResourceKind, _ query: ListQuery, as context: AccessContext) throws(StoreError) -> Page {
        guard (1...ListQuery.maximumLimit).contains(query.limit) else {
            throw .badQuery(parameter: "limit", message: "must be between 1 and \(ListQuery.maximumLimit)")
        }
        let builder = QueryBuilder(kind: kind, clearance: context.clearance)
        var (from, filtered) = try matching(kind, query, as: context)
        let fts = SearchIndex.table(for: kind, at: context.clearance)
        let searching = query.search != nil
        var order = try builder.orderKeys(query.sort)
        if let path = Store.codeOrderedPath(kind, query, clearance: context.clearance) {
            var rest = query
            if let index = rest.filters.firstIndex(of: path.consumed) { rest.filters.remove(at: index) }
            (_, filtered) = try matching(kind, rest, as: context)
            from = path.from
            filtered.add(path.condition, path.arguments)
            order = order.map { key in
                switch key.expression {
                case "r.occurred_earliest":
                    QueryBuilder.OrderKey(expression: "x.occurred_earliest", descending: key.descending)
                case "r.id": QueryBuilder.OrderKey(expression: "x.id", descending: key.descending)
                default: key
                }
            }
        }
        if searching, query.sort.isEmpty {
            order.insert(QueryBuilder.OrderKey(expression: "bm25(\(fts))", descending: false), at: 0)
        }
        let sortSignature = query.sort.map(\.text).joined(separator: ",") + (searching ? "|q" : "")
        var conditions = filtered

        if let cursor = query.cursor {
            let values = try Cursor.decode(cursor, sort: sortSignature, keys: order.count, key: cursorKey)
            conditions.add(Cursor.condition(order, values: values), Cursor.arguments(order, values: values))
        }

        let shape = PageShape(
            kind: kind, clearance: context.clearance, from: from, conditions: conditions, order: order,
            limit: query.limit)
        let plainSearch = Store.plainIncidentSearch(kind, query, clearance: context.clearance, cursorKey: cursorKey)
        let match = try query.search.map { text throws(StoreError) in try FullTextQuery.expression(for: text) }
        return try read { db in
            let (records, lastKeys, more) =
                try match.map { match in
                    try shape.searchPage(in: db, match: match, plain: plainSearch)
                } ?? shape.page(in: db)
            var total: Int?
            if query.includeTotal {
                let count = try db.cachedStatement(
                    "SELECT count(*) FROM \(from) WHERE \(filtered.sql.joined(separator: " AND "))")
                try count.forEachRow(filtered.arguments) { row in total = Int(row.int64(0)) }
            }
            let next = more ? Cursor.encode(lastKeys, sort: sortSignature, key: cursorKey) : nil
            return Page(records: records, nextCursor: next, total: total)
        }
    }
}

/// One page's query, once the store has chosen its conditions and order: read either in one
/// statement, or, for a search, by ranking keys first and then reading the page's records.
private struct PageShape {
    let kind: ResourceKind
    let clearance: Confidentiality
    let from: String
    let conditions: QueryBuilder.Conditions
    let order: [QueryBuilder.OrderKey]
    let limit: Int

    private var codec: RecordCodec { RecordCodec(kind: kind) }
    private var whereSQL: String { conditions.sql.joined(separator: " AND ") }
    private var orderSQL: String {
        order.map { $0.expression + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
    }
    private var orderColumns: String { order.map(\.expression).joined(separator: ", ") }
    /// The column after the record's columns and counts.
    private var firstExtraColumn: Int32 { Int32(codec.columns.count + kind.computedFields.count) }

    /// The records, the last one's sort keys, and whether more follow.
    /// `lastKeys` are the sort keys of the page's last record, set only when `more` is true.
    typealias Result = (records: [Record], lastKeys: [JSONValue], more: Bool)

    func page(in db: Database) throws -> Result {
        let encoder = RecordEncoder(kind: kind)
        let first = firstExtraColumn
        let statement = try db.cachedStatement(
            """
            SELECT \(codec.selectList(withComputedFor: clearance)), \(orderColumns)
            FROM \(from)\(codec.outputJoins(for: clearance)) WHERE \(whereSQL)
            ORDER BY \(orderSQL) LIMIT ?
            """)
        var result: Result = ([], [], false)
        result.records.reserveCapacity(limit)
        var scratch = ByteWriter(capacity: 4096)
        try statement.forEachRow(conditions.arguments + [.integer(Int64(limit + 1))]) { row in
            if result.records.count == limit {
                result.more = true
                return
            }
            result.records.append(encoder.encode(row, for: clearance, using: &scratch))
            // The keys only make a cursor when a further row follows the page's last one.
            if result.records.count == limit {
                result.lastKeys = (0..<Int32(order.count)).map { Cursor.jsonValue(row.value(first + $0)) }
            }
        }
        return result
    }

    /// A search ranks every match before the limit, and SQLite builds each sorted row whole: so
    /// it first ranks just keys (`plain`: see ``Store/PlainIncidentSearch``), then reads the
    /// page's records, counts and snippets (the costly part) for those rows alone. Both read the
    /// index of the caller's clearance (``SearchIndex``), whose bm25 statistics count only the
    /// records the caller may see.
    func searchPage(in db: Database, match: String, plain: Store.PlainIncidentSearch?) throws -> Result {
        let fts = SearchIndex.table(for: kind, at: clearance)
        var result: Result = ([], [], false)
        var ranked: [Int64] = []
        if let plain {
            let keys = try plain.rank(in: db, count: limit + 1)
            ranked = keys.prefix(limit).map(\.pk)
            result.more = keys.count > limit
            result.lastKeys = keys.prefix(limit).last.map { [.double($0.score), .string($0.id)] } ?? []
        } else {
            let rank = "SELECT r.pk, \(orderColumns) FROM \(from) WHERE \(whereSQL) ORDER BY \(orderSQL) LIMIT ?"
            try db.cachedStatement(rank).forEachRow(conditions.arguments + [.integer(Int64(limit + 1))]) { row in
                if ranked.count == limit {
                    result.more = true
                    return
                }
                ranked.append(row.int64(0))
                if ranked.count == limit {
                    result.lastKeys = (0..<Int32(order.count)).map { Cursor.jsonValue(row.value(1 + $0)) }
                }
            }
        }
        let encoder = RecordEncoder(kind: kind)
        let first = firstExtraColumn
        var byKey: [Int64: Record] = [:]
        let statement = try db.cachedStatement(
            """
            SELECT \(codec.selectList(withComputedFor: clearance)), r.pk, \
            \(SnippetFunction.name)(\(fts), -1, '\(FullTextQuery.open)', '\(FullTextQuery.close)', '…', 12)
            FROM \(fts) CROSS JOIN \(kind.table) r ON r.pk = \(fts).rowid\(codec.outputJoins(for: clearance))
            WHERE \(fts) MATCH ? AND \(fts).rowid IN (SELECT value FROM json_each(?))
            """)
        let keys = "[" + ranked.map(String.init).joined(separator: ",") + "]"
        var scratch = ByteWriter(capacity: 4096)
        try statement.forEachRow([.text(match), .text(keys)]) { row in
            var record = encoder.encode(row, for: clearance, using: &scratch)
            let snippet = JSONValue.string(Snippet.render(row.text(first + 1) ?? ""))
            record.append(key: "snippet", json: snippet.serialized())
            byKey[row.int64(first)] = record
        }
        result.records = ranked.compactMap { byKey[$0] }
        return result
    }
}

extension Store {
    /// The access path for incidents filtered by one code and one country, sorted by date
    /// first: walk `incident_codes_ordered` (field, code, country, date, id) so the page comes
    /// out of the index in order (ties by id included) and only its rows are read, instead of
    /// checking the code of every incident of the country in date order. The code filter is
    /// answered by the index; the list's other conditions still apply to every row.
    struct CodeOrderedPath {
        let from: String
        let condition: String
        let arguments: [SQLValue]
        /// The filter the index answers, left out of the row conditions.
        let consumed: Filter
    }

    static func codeOrderedPath(_ kind: ResourceKind, _ query: ListQuery, clearance: Confidentiality)
        -> CodeOrderedPath?
    {
        guard kind == .incidents, query.search == nil, query.sort.count == 1, query.sort[0].field == "occurred",
            let code = query.filters.first(where: {
                ($0.field == "violation_types" || $0.field == "targeted_groups") && $0.op == .eq
            }),
            let country = query.filters.first(where: { $0.field == "country" && $0.op == .eq })
        else { return nil }
        return CodeOrderedPath(
            from: "incident_codes x CROSS JOIN incidents r ON r.pk = x.incident_pk",
            condition: """
                x.field = ? AND x.code = ? AND x.country = ? AND x.deleted_at IS NULL \
                AND x.confidentiality <= \(clearance.rawValue)
                """,
            arguments: [.text(code.field), .text(code.value), .text(country.value)],
            consumed: code)
    }
}

extension Store {
    /// A search of incidents with nothing but `q` (and a cursor), ranked by (bm25, id).
    ///
    /// bm25 must score every match; the general query also looks each match up to drop
    /// tombstones and levels above the caller's clearance (1,672 lookups for "stadium" in the
    /// benchmark, 40% of the query). Here the full-text index of the caller's clearance is scored
    /// alone, the scores are sorted in memory, and only the best matches are looked up in
    /// `incident_visibility` (for their ids, and to check once more what that index already
    /// holds only: live records at or below the clearance), a batch at a time, each batch ending
    /// where a run of equal scores ends: every later batch then scores strictly worse, so
    /// sorting each batch by (score, id) gives exactly the general query's order, ties by id
    /// included.
    struct PlainIncidentSearch {
        let match: String
        let clearance: Confidentiality
        /// The cursor's last (bm25, id), when continuing.
        let after: (score: Double, id: String)?

        /// Up to `count` visible matches after the cursor, in (bm25, id) order.
        func rank(in db: Database, count: Int) throws -> [(pk: Int64, score: Double, id: String)] {
            let fts = SearchIndex.table(for: .incidents, at: clearance)
            var sql = "SELECT rowid, bm25(\(fts)) FROM \(fts) WHERE \(fts) MATCH ?"
            var arguments: [SQLValue] = [.text(match)]
            if let after {
                sql += " AND bm25(\(fts)) >= ?"
                arguments.append(.real(after.score))
            }
            var matches: [(pk: Int64, score: Double)] = []
            try db.cachedStatement(sql).forEachRow(arguments) { row in matches.append((row.int64(0), row.double(1))) }
            matches.sort { $0.score < $1.score }
            let visibility = try db.cachedStatement(
                """
                SELECT pk, id FROM incident_visibility WHERE pk IN (SELECT value FROM json_each(?))
                AND deleted = 0 AND level <= \(clearance.rawValue)
                """)
            var ranked: [(pk: Int64, score: Double, id: String)] = []
            var start = 0
            while start < matches.count && ranked.count < count {
                var end = min(matches.count, start + max(count - ranked.count, 16))
                while end < matches.count && matches[end].score == matches[end - 1].score { end += 1 }
                var scores: [Int64: Double] = [:]
                for match in matches[start..<end] { scores[match.pk] = match.score }
                var batch: [(pk: Int64, score: Double, id: String)] = []
                let keys = "[" + scores.keys.map(String.init).joined(separator: ",") + "]"
                try visibility.forEachRow([.text(keys)]) { row in
                    let pk = row.int64(0)
                    guard let score = scores[pk], let id = row.text(1) else { return }
                    if let after, score < after.score || (score == after.score && id <= after.id) { return }
                    batch.append((pk, score, id))
                }
                batch.sort { ($0.score, $0.id) < ($1.score, $1.id) }
                ranked += batch
                start = end
            }
            return Array(ranked.prefix(count))
        }
    }

    /// The plain search for `query`, or nil when it is not one (or its cursor does not decode: the
    /// general path then refuses it with the usual error). Its keys are always (bm25, id).
    static func plainIncidentSearch(
        _ kind: ResourceKind, _ query: ListQuery, clearance: Confidentiality, cursorKey: [UInt8]
    ) -> PlainIncidentSearch? {
        guard kind == .incidents, let search = query.search, let match = try? FullTextQuery.expression(for: search),
            query.filters.isEmpty, query.sort.isEmpty, query.updatedSince == nil
        else { return nil }
        guard let cursor = query.cursor else {
            return PlainIncidentSearch(match: match, clearance: clearance, after: nil)
        }
        guard let values = try? Cursor.decode(cursor, sort: "|q", keys: 2, key: cursorKey),
            case .string(let id) = values[1]
        else { return nil }
        let score: Double
        switch values[0] {
        case .double(let number): score = number
        case .int(let number): score = Double(number)
        default: return nil
        }
        return PlainIncidentSearch(match: match, clearance: clearance, after: (score, id))
    }
}

/// The opaque keyset cursor: `{"s": sort, "k": [last row's sort values…]}`, sealed with the
/// database's cursor key (ChaCha20-Poly1305; migrations/0012_cursor_key.sql) and base64url. A
/// client can neither read the values (the last row's sort keys, a search's bm25 score among
/// them) nor forge a position.
enum Cursor {
    static func encode(_ keys: [JSONValue], sort: String, key: [UInt8]) -> String {
        let object = JSONObject([("s", .string(sort)), ("k", .array(keys))])
        let plain = JSONValue.object(object).serialized()
        // Sealing with a fresh random nonce cannot fail for a 32-byte key.
        guard let sealed = try? ChaChaPoly.seal(plain, using: SymmetricKey(data: key)).combined else {
            preconditionFailure("sealing a cursor failed")
        }
        return Base64URL.encode(Array(sealed))
    }

    static func decode(_ text: String, sort: String, keys count: Int, key: [UInt8]) throws(StoreError) -> [JSONValue] {
        guard text.utf8.count <= 4096, let sealed = Base64URL.decode(text),
            let box = try? ChaChaPoly.SealedBox(combined: sealed),
            let bytes = try? ChaChaPoly.open(box, using: SymmetricKey(data: key)),
            case .object(let object)? = try? JSONValue.parse(Array(bytes)),
            case .array(let keys)? = object["k"], case .string(let signature)? = object["s"]
        else { throw .badQuery(parameter: "cursor", message: "is not a cursor this server issued") }
        guard signature == sort, keys.count == count else {
            throw .badQuery(parameter: "cursor", message: "was issued for another sort order; start again without it")
        }
        return keys
    }

    static func jsonValue(_ value: SQLValue) -> JSONValue {
        switch value {
        case .null: .null
        case .integer(let number): .int(number)
        case .real(let number): .double(number)
        case .text(let text): .string(text)
        case .blob: .null
        }
    }

    static func sqlValue(_ value: JSONValue) -> SQLValue {
        switch value {
        case .int(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        default: .null
        }
    }

    /// Rows strictly after the cursor in the given order. SQLite sorts NULL first ascending and
    /// last descending; the comparisons below follow that.
    static func condition(_ order: [QueryBuilder.OrderKey], values: [JSONValue]) -> String {
        var disjuncts: [String] = []
        for (index, key) in order.enumerated() {
            var parts = order[..<index].map { "\($0.expression) IS ?" }
            let isNull = values[index] == .null
            switch (key.descending, isNull) {
            case (false, false): parts.append("\(key.expression) > ?")
            case (false, true): parts.append("\(key.expression) IS NOT NULL")
            case (true, false): parts.append("(\(key.expression) < ? OR \(key.expression) IS NULL)")
            case (true, true): parts.append("0")
            }
            disjuncts.append("(" + parts.joined(separator: " AND ") + ")")
        }
        return "(" + disjuncts.joined(separator: " OR ") + ")"
    }

    static func arguments(_ order: [QueryBuilder.OrderKey], values: [JSONValue]) -> [SQLValue] {
        var arguments: [SQLValue] = []
        for (index, _) in order.enumerated() {
            arguments += values[..<index].map(sqlValue)
            if values[index] != .null { arguments.append(sqlValue(values[index])) }
        }
        return arguments
    }
}
