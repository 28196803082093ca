import VigilJSON
import VigilSQLite

/// A client's request to link an incident to a site: `{"site_id", "role", "period", "note"}`.
struct LinkInput: Sendable {
    let siteID: String
    let role: String
    let period: String?
    let note: String?

    static let keys: Set<String> = ["site_id", "role", "period", "note"]

    /// Parses one link object; `field` names it in errors (`sites[2]`).
    static func parse(_ value: JSONValue, field: String) -> Result<LinkInput, FieldErrors> {
        guard case .object(let object) = value else {
            return .failure(FieldErrors([FieldError(field, "must be an object with site_id and role")]))
        }
        var errors: [FieldError] = []
        for (key, _) in object where !keys.contains(key) {
            errors.append(FieldError("\(field).\(key)", "is not a field of a link (site_id, role, period, note)"))
        }
        var siteID = ""
        switch object["site_id"] {
        case .string(let id)? where id.hasPrefix(ResourceKind.sites.idPrefix): siteID = id
        case nil, .null?: errors.append(FieldError("\(field).site_id", "is required"))
        default: errors.append(FieldError("\(field).site_id", "must be the id of a site (site_…)"))
        }
        var role = ""
        switch object["role"] {
        case .string(let code)? where Vocabularies.linkRole.contains(code): role = code
        case nil, .null?: errors.append(FieldError("\(field).role", "is required"))
        default:
            errors.append(
                FieldError("\(field).role", "must be one of \(Vocabularies.linkRole.codes.joined(separator: ", "))"))
        }
        var period: String?
        switch object["period"] {
        case .string(let text)?:
            do {
                _ = try UncertainDate(parsing: text)
                period = text
            } catch {
                errors.append(
                    FieldError("\(field).period", "\"\(text)\" is not a valid uncertain date: \(error.message)"))
            }
        case nil, .null?: break
        default: errors.append(FieldError("\(field).period", "must be a string"))
        }
        var note: String?
        switch object["note"] {
        case .string(let text)? where text.unicodeScalars.count <= Catalog.longText: note = text
        case nil, .null?: break
        default:
            errors.append(FieldError("\(field).note", "must be a string of at most \(Catalog.longText) characters"))
        }
        guard errors.isEmpty else { return .failure(FieldErrors(errors)) }
        return .success(LinkInput(siteID: siteID, role: role, period: period, note: note))
    }

    /// Parses an object or an array of them.
    static func parseList(_ value: JSONValue, field: String, clearance: Confidentiality) -> Result<
        [LinkInput], FieldErrors
    > {
        let items: [(JSONValue, String)]
        switch value {
        case .array(let array): items = array.enumerated().map { ($1, "\(field)[\($0)]") }
        default: items = [(value, field)]
        }
        var links: [LinkInput] = []
        var errors: [FieldError] = []
        var seen = Set<String>()
        for (item, name) in items {
            switch parse(item, field: name) {
            case .success(let link):
                // The same site in the same role twice would be a conflict with itself.
                if !seen.insert(link.siteID + "\u{0}" + link.role).inserted {
                    errors.append(FieldError(name, "links \(link.siteID) as \(link.role) a second time"))
                }
                links.append(link)
            case .failure(let failure): errors += failure.errors
            }
        }
        return errors.isEmpty ? .success(links) : .failure(FieldErrors(errors))
    }

    /// Checks that the site exists, is live and visible.
    func referenceErrors(in db: Database, clearance: Confidentiality, field: String) throws -> [FieldError] {
        if let problem = try Store.referenceProblem(.sites, id: siteID, in: db, clearance: clearance) {
            return [FieldError("\(field).site_id", problem)]
        }
        return []
    }
}

/// A list of field errors, as a `Result` failure.
struct FieldErrors: Error {
    let errors: [FieldError]
    init(_ errors: [FieldError]) { self.errors = errors }
}
