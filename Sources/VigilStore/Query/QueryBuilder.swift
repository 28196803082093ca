import VigilSQLite

/// Compiles a ``ListQuery`` into SQL conditions and ordering for one kind and one caller.
///
/// Only field names from the kind's catalog reach the SQL text, and only as column names the
/// catalog spells; every client value is bound. A field the caller may not see is either
/// refused (`contact` below confidential) or read through an expression that yields NULL where
/// it is hidden (exact places, references to hidden records), so no filter or sort can reveal a
/// hidden value.
struct QueryBuilder {
    let kind: ResourceKind
    let clearance: Confidentiality

    /// Conditions (ANDed) and their arguments.
    struct Conditions {
        var sql: [String] = []
        var arguments: [SQLValue] = []

        mutating func add(_ condition: String, _ values: [SQLValue] = []) {
            sql.append(condition)
            arguments += values
        }
    }

    /// A sort key resolved to an SQL expression.
    struct OrderKey {
        let expression: String
        let descending: Bool
    }

    // MARK: Field expressions

    /// The SQL expression through which the caller sees `spec` (NULL where hidden), from the
    /// access policy; a field hidden on every row from this caller is refused.
    private func expression(for spec: FieldSpec, parameter: String) throws(StoreError) -> String {
        guard let expression = AccessPolicy(kind).expression(for: spec, clearance: clearance) else {
            throw StoreError.badQuery(parameter: parameter, message: "\(spec.name) is not visible to this token")
        }
        return expression
    }

    private func spec(named field: String, parameter: String) throws(StoreError) -> FieldSpec {
        guard let spec = kind.field(named: field) else {
            throw StoreError.badQuery(
                parameter: parameter, message: "\(kind.rawValue) have no field \"\(field)\" to filter or sort on")
        }
        return spec
    }

    // MARK: Sorting

    /// Resolves sort keys, refusing fields that are not sortable, and appends `id` (in the last
    /// key's direction).
    func orderKeys(_ keys: [SortKey]) throws(StoreError) -> [OrderKey] {
        var result: [OrderKey] = []
        var seen = Set<String>()
        for key in keys {
            guard seen.insert(key.field).inserted else {
                throw StoreError.badQuery(parameter: "sort", message: "\(key.field) appears twice")
            }
            if key.field == "id" {
                result.append(OrderKey(expression: "r.id", descending: key.descending))
                return result  // id is unique: later keys could never matter
            }
            if key.field == "created_at" || key.field == "updated_at" {
                result.append(OrderKey(expression: "r." + key.field, descending: key.descending))
                continue
            }
            let spec = try spec(named: key.field, parameter: "sort")
            switch spec.type {
            case .date:
                result.append(OrderKey(expression: "r.\(spec.name)_earliest", descending: key.descending))
            // A reference is not a sort key: the order of ids means nothing to a reader, and the
            // cursor would carry the last row's id, which may name a record it cannot see.
            case .codes, .strings, .reference, .references, .url:
                throw StoreError.badQuery(parameter: "sort", message: "\(key.field) cannot be sorted on")
            case .text(let maxLength) where maxLength > Catalog.shortText:
                throw StoreError.badQuery(parameter: "sort", message: "\(key.field) cannot be sorted on")
            default:
                result.append(
                    OrderKey(expression: try expression(for: spec, parameter: "sort"), descending: key.descending))
            }
        }
        // Ties go by id in the direction of the last key: newest first stays newest first
        // among records of the same date (ids grow with creation time).
        result.append(OrderKey(expression: "r.id", descending: keys.last?.descending ?? false))
        return result
    }

    // MARK: Filters

    /// Adds the SQL for every filter to `conditions`.
    func addFilters(_ filters: [Filter], to conditions: inout Conditions) throws(StoreError) {
        for filter in filters { try add(filter, to: &conditions) }
    }

    private func add(_ filter: Filter, to conditions: inout Conditions) throws(StoreError) {
        let parameter = filter.parameter
        if filter.field == "id" {
            try addScalar(filter, expression: "r.id", parse: { .text($0) }, to: &conditions)
            return
        }
        if filter.field == "created_at" || filter.field == "updated_at" {
            try addScalar(
                filter, expression: "r." + filter.field, allowContains: false,
                parse: { text in
                    guard let time = Timestamp.normalize(text) else {
                        throw StoreError.badQuery(
                            parameter: parameter, message: "\"\(text)\" is not an RFC 3339 date or time")
                    }
                    return .text(time)
                }, to: &conditions)
            return
        }
        let spec = try spec(named: filter.field, parameter: parameter)
        let expression = try expression(for: spec, parameter: parameter)
        switch spec.type {
        case .reference(let target) where clearance < .confidential:
            // Matched as shown (see AccessPolicy.visibleReference): a hidden id matches nothing, not even
            // `.null=false` or a range. Equality keeps the column's index, then checks the record.
            let visible = AccessPolicy.visibleReference(expression, to: target, clearance: clearance)
            switch filter.op {
            case .eq, .in:
                var matched = Conditions()
                try addScalar(filter, expression: expression, parse: { .text($0) }, to: &matched)
                conditions.add("(\(matched.sql.joined()) AND \(visible) IS NOT NULL)", matched.arguments)
            default:
                try addScalar(filter, expression: visible, parse: { .text($0) }, to: &conditions)
            }
        case .text, .url, .reference:
            try addScalar(filter, expression: expression, parse: { .text($0) }, to: &conditions)
        case .country:
            try addScalar(
                filter, expression: expression,
                parse: { text in
                    guard CountryCode.isValid(text) else {
                        throw StoreError.badQuery(
                            parameter: parameter, message: "\"\(text)\" is not an ISO 3166-1 alpha-2 code")
                    }
                    return .text(text)
                }, to: &conditions)
        case .code(let vocabulary):
            try addScalar(
                filter, expression: expression,
                parse: { text in
                    guard vocabulary.contains(text) else {
                        throw StoreError.badQuery(
                            parameter: parameter, message: "\"\(text)\" is not in the \(vocabulary.name) vocabulary")
                    }
                    return .text(text)
                }, to: &conditions)
        case .count:
            try addScalar(
                filter, expression: expression, allowContains: false,
                parse: { text in
                    guard let number = Int64(text) else {
                        throw StoreError.badQuery(parameter: parameter, message: "\"\(text)\" is not a whole number")
                    }
                    return .integer(number)
                }, to: &conditions)
        case .coordinate:
            try addScalar(
                filter, expression: expression, allowContains: false,
                parse: { text in
                    guard let number = Double(text), number.isFinite else {
                        throw StoreError.badQuery(parameter: parameter, message: "\"\(text)\" is not a number")
                    }
                    return .real(number)
                }, to: &conditions)
        case .level:
            try addScalar(
                filter, expression: expression, allowContains: false,
                parse: { text in
                    guard let level = Confidentiality(name: text) else {
                        throw StoreError.badQuery(
                            parameter: parameter, message: "must be public, restricted or confidential")
                    }
                    return .integer(Int64(level.rawValue))
                }, to: &conditions)
        case .bool:
            guard [.eq, .ne, .null].contains(filter.op) else { throw unsupported(filter) }
            try addScalar(
                filter, expression: expression, allowContains: false,
                parse: { text in
                    switch text {
                    case "true": return .integer(1)
                    case "false": return .integer(0)
                    default: throw StoreError.badQuery(parameter: parameter, message: "must be true or false")
                    }
                }, to: &conditions)
        case .date:
            try addDate(filter, field: spec.name, to: &conditions)
        case .codes(let vocabulary):
            try addList(filter, column: "r." + spec.name, to: &conditions) { text in
                guard vocabulary.contains(text) else {
                    throw StoreError.badQuery(
                        parameter: parameter, message: "\"\(text)\" is not in the \(vocabulary.name) vocabulary")
                }
            }
        case .references(let target) where clearance < .confidential:
            try addList(
                filter, column: AccessPolicy.visibleReferences("r." + spec.name, to: target, clearance: clearance),
                to: &conditions
            ) { _ in }
        case .strings, .references:
            try addList(filter, column: "r." + spec.name, to: &conditions) { _ in }
        }
    }

    private func unsupported(_ filter: Filter) -> StoreError {
        .badQuery(
            parameter: filter.parameter, message: "the \(filter.op.rawValue) operator does not apply to \(filter.field)"
        )
    }

    private func splitList(_ filter: Filter) throws(StoreError) -> [String] {
        let items = filter.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !items.isEmpty, items.count <= 100, !items.contains(where: \.isEmpty) else {
            throw StoreError.badQuery(parameter: filter.parameter, message: "give 1 to 100 comma-separated values")
        }
        return items
    }

    private func nullFlag(_ filter: Filter) throws(StoreError) -> Bool {
        switch filter.value {
        case "true", "": return true
        case "false": return false
        default: throw StoreError.badQuery(parameter: filter.parameter, message: "must be true or false")
        }
    }

    private func addScalar(
        _ filter: Filter, expression: String, allowContains: Bool = true,
        parse rawParse: (String) throws -> SQLValue, to conditions: inout Conditions
    ) throws(StoreError) {
        func parse(_ text: String) throws(StoreError) -> SQLValue {
            do { return try rawParse(text) } catch { throw StoreError.wrap(error) }
        }
        switch filter.op {
        case .eq: conditions.add("\(expression) = ?", [try parse(filter.value)])
        case .ne: conditions.add("\(expression) IS NOT ?", [try parse(filter.value)])
        case .gt: conditions.add("\(expression) > ?", [try parse(filter.value)])
        case .gte: conditions.add("\(expression) >= ?", [try parse(filter.value)])
        case .lt: conditions.add("\(expression) < ?", [try parse(filter.value)])
        case .lte: conditions.add("\(expression) <= ?", [try parse(filter.value)])
        case .in, .nin:
            var values: [SQLValue] = []
            for item in try splitList(filter) { values.append(try parse(item)) }
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            conditions.add(
                filter.op == .in
                    ? "\(expression) IN (\(marks))" : "(\(expression) IS NULL OR \(expression) NOT IN (\(marks)))",
                values)
        case .contains:
            guard allowContains else { throw unsupported(filter) }
            conditions.add("instr(lower(\(expression)), lower(?)) > 0", [.text(filter.value)])
        case .null:
            conditions.add(try nullFlag(filter) ? "\(expression) IS NULL" : "\(expression) IS NOT NULL")
        }
    }

    /// Date filters mean overlap: `occurred.gte=2017-03` keeps anything that may have happened in
    /// or after March 2017. An open side of a stored interval is unbounded.
    private func addDate(_ filter: Filter, field: String, to conditions: inout Conditions) throws(StoreError) {
        let column = "r." + field
        let earliest = "r.\(field)_earliest"
        let latest = "r.\(field)_latest"
        if filter.op == .null {
            conditions.add(try nullFlag(filter) ? "\(column) IS NULL" : "\(column) IS NOT NULL")
            return
        }
        let date: UncertainDate
        do {
            date = try UncertainDate(parsing: filter.value)
        } catch {
            throw StoreError.badQuery(
                parameter: filter.parameter,
                message: "\"\(filter.value)\" is not a valid uncertain date: \(error.message)")
        }
        // "starts no later than X" / "ends no earlier than X", with NULL bounds open.
        func startsBy(_ bound: String?, strict: Bool = false) -> (String, [SQLValue]) {
            guard let bound else { return ("1", []) }
            return ("(\(earliest) IS NULL OR \(earliest) \(strict ? "<" : "<=") ?)", [.text(bound)])
        }
        func endsFrom(_ bound: String?, strict: Bool = false) -> (String, [SQLValue]) {
            guard let bound else { return ("1", []) }
            return ("(\(latest) IS NULL OR \(latest) \(strict ? ">" : ">=") ?)", [.text(bound)])
        }
        let overlap: (String, [SQLValue]) = {
            let start = startsBy(date.latest)
            let end = endsFrom(date.earliest)
            return ("(\(start.0) AND \(end.0))", start.1 + end.1)
        }()
        let condition: (String, [SQLValue])
        switch filter.op {
        case .eq: condition = overlap
        case .ne: condition = ("NOT \(overlap.0)", overlap.1)
        case .gte: condition = endsFrom(date.earliest)
        case .gt: condition = date.latest == nil ? ("0", []) : endsFrom(date.latest, strict: true)
        case .lte: condition = startsBy(date.latest)
        case .lt: condition = date.earliest == nil ? ("0", []) : startsBy(date.earliest, strict: true)
        case .in, .nin, .contains, .null: throw unsupported(filter)
        }
        conditions.add("(\(column) IS NOT NULL AND \(condition.0))", condition.1)
    }

    /// Lists match when they contain the value (`eq`, `contains`), any of the values (`in`),
    /// none of them (`ne`, `nin`), or are empty (`null=true`).
    private func addList(
        _ filter: Filter, column: String, to conditions: inout Conditions, check rawCheck: (String) throws -> Void
    ) throws(StoreError) {
        func check(_ text: String) throws(StoreError) {
            do { try rawCheck(text) } catch { throw StoreError.wrap(error) }
        }
        // An incident's coded lists are also in `incident_codes`, indexed; other lists are read
        // from their JSON array. (The field name is the catalog's, never the client's text.)
        let indexed = kind == .incidents && (filter.field == "violation_types" || filter.field == "targeted_groups")
        let member =
            indexed
            ? "EXISTS (SELECT 1 FROM incident_codes c WHERE c.incident_pk = r.pk AND c.field = '\(filter.field)' AND c.code"
            : "EXISTS (SELECT 1 FROM json_each(\(column)) WHERE value"
        switch filter.op {
        case .eq, .contains, .ne:
            try check(filter.value)
            conditions.add((filter.op == .ne ? "NOT " : "") + "\(member) = ?)", [.text(filter.value)])
        case .in, .nin:
            let items = try splitList(filter)
            for item in items { try check(item) }
            let marks = Array(repeating: "?", count: items.count).joined(separator: ", ")
            conditions.add((filter.op == .nin ? "NOT " : "") + "\(member) IN (\(marks)))", items.map { .text($0) })
        case .null:
            conditions.add(
                try nullFlag(filter) ? "json_array_length(\(column)) = 0" : "json_array_length(\(column)) > 0")
        case .gt, .gte, .lt, .lte:
            throw unsupported(filter)
        }
    }
}
