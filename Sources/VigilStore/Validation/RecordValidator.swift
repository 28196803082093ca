import VigilJSON

/// Turns client JSON into a record's stored fields, or into the list of everything wrong with it.
///
/// Validation is pure (no database): references are checked for shape here and for existence by
/// the store inside the write transaction. Every problem is collected, not just the first, so a
/// client fixes its input in one round trip.
struct RecordValidator {
    let kind: ResourceKind
    /// The caller's clearance: a record may not be set above it.
    let clearance: Confidentiality
    /// When validating a patched record, its fields as stored: a level kept as it was is not the
    /// caller's choice, so it is not held against the caller's clearance (an editor may change
    /// the summary of a record whose place is hidden from them).
    var stored: JSONObject? = nil

    /// Refuses keys that are unknown or only the server sets. Used on create and on patch, so a
    /// misspelt or read-only field is never dropped silently.
    func checkKeys(of input: JSONObject, prefix: String = "") -> [FieldError] {
        var errors: [FieldError] = []
        for (key, _) in input {
            if kind.field(named: key) != nil { continue }
            if key == "sites", kind == .incidents { continue }  // links made with the record
            if Catalog.systemFields.contains(key) || kind.computedFields.contains(key)
                || key.hasSuffix("_earliest") || key.hasSuffix("_latest")
            {
                errors.append(FieldError(prefix + key, "is set by the server and cannot be written"))
            } else {
                errors.append(FieldError(prefix + key, "is not a field of \(kind.rawValue)"))
            }
        }
        return errors
    }

    /// Validates a whole record's fields (after a merge patch, or on create) and returns them
    /// normalized, with defaults applied and nulls removed.
    func validate(_ input: JSONObject, prefix: String = "") -> (fields: JSONObject, errors: [FieldError]) {
        // `fields` gets each catalog name at most once, in catalog order: appended without a search.
        var fields = JSONObject()
        var errors: [FieldError] = []
        for spec in kind.fields {
            let value = input[spec.name] ?? .null
            if case .null = value {
                if let defaultValue = spec.defaultValue {
                    if isAboveClearance(defaultValue, spec) {
                        errors.append(
                            FieldError(
                                prefix + spec.name,
                                "is required at your clearance (\(clearance.name)): its default, \(defaultValue.stringValue ?? ""), is above it"
                            ))
                        continue
                    }
                    fields.appendUnchecked(spec.name, defaultValue)
                } else if spec.required {
                    errors.append(FieldError(prefix + spec.name, "is required"))
                }
                continue
            }
            switch normalize(value, as: spec.type) {
            case .success(let normalized):
                if spec.required, case .string(let text) = normalized, text.allSatisfy(\.isWhitespace) {
                    errors.append(FieldError(prefix + spec.name, "must not be empty"))
                }
                if isAboveClearance(normalized, spec), stored?[spec.name] != normalized {
                    errors.append(FieldError(prefix + spec.name, "cannot be above your clearance (\(clearance.name))"))
                    continue
                }
                fields.appendUnchecked(spec.name, normalized)
            case .failure(let message):
                errors.append(FieldError(prefix + spec.name, message.text))
            }
        }
        errors += crossFieldErrors(fields, given: input, prefix: prefix)
        return (fields, errors)
    }

    // MARK: One value

    private func normalize(_ value: JSONValue, as type: FieldType) -> Result<JSONValue, Message> {
        switch type {
        case .text(let maxLength):
            guard case .string(let text) = value else { return .failure("must be a string") }
            // One pass over the UTF-8 bytes: a scalar starts at every byte that is not a
            // continuation byte, and the C0 controls are single bytes below 0x20.
            var scalars = 0
            var control = false
            for byte in text.utf8 {
                if byte & 0xC0 != 0x80 { scalars += 1 }
                if byte < 0x20, byte != 0x0A, byte != 0x09, byte != 0x0D { control = true }
            }
            guard scalars <= maxLength else {
                return .failure("must be at most \(maxLength) characters")
            }
            guard !control else { return .failure("must not contain control characters") }
            return .success(value)
        case .url:
            guard case .string(let text) = value else { return .failure("must be a string") }
            let lower = text.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), text.utf8.count <= 2048,
                text.utf8.count > 8, !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
            else { return .failure("must be an http or https URL") }
            return .success(value)
        case .count:
            // JSON has one number type: 100.0 and 1e2 are the whole number 100 (as Python's
            // json module writes floats), stored as one.
            let number: Int64
            switch value {
            case .int(let whole): number = whole
            case .double(let real) where real.rounded() == real && abs(real) < 9.0e15: number = Int64(real)
            default: return .failure("must be a whole number")
            }
            guard number >= 0 else { return .failure("must not be negative") }
            return .success(.int(number))
        case .coordinate(let limit):
            let number: Double
            switch value {
            case .int(let whole): number = Double(whole)
            case .double(let real): number = real
            default: return .failure("must be a number")
            }
            guard number >= -limit, number <= limit else {
                return .failure("must be between \(Int(-limit)) and \(Int(limit))")
            }
            return .success(.double(number))
        case .bool:
            guard case .bool = value else { return .failure("must be true or false") }
            return .success(value)
        case .code(let vocabulary):
            guard case .string(let code) = value else { return .failure("must be a string") }
            guard vocabulary.contains(code) else { return .failure(unknownCode(code, in: vocabulary)) }
            return .success(value)
        case .codes(let vocabulary):
            return normalizeList(value) { code in
                vocabulary.contains(code) ? nil : unknownCode(code, in: vocabulary)
            }
        case .strings:
            return normalizeList(value) { text in
                if text.isEmpty { return "must not hold empty strings" }
                if text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "must not hold control characters" }
                return text.unicodeScalars.count > Catalog.shortText
                    ? "items must be at most \(Catalog.shortText) characters" : nil
            }
        case .country:
            guard case .string(let code) = value else { return .failure("must be a string") }
            guard CountryCode.isValid(code) else {
                return .failure("\"\(code)\" is not an ISO 3166-1 alpha-2 country code")
            }
            return .success(value)
        case .date:
            guard case .string(let text) = value else { return .failure("must be a string") }
            do {
                _ = try UncertainDate(parsing: text)
                return .success(value)
            } catch {
                return .failure("\"\(text)\" is not a valid uncertain date: \(error.message)")
            }
        case .reference(let target):
            guard case .string(let id) = value else { return .failure("must be a string") }
            guard id.hasPrefix(target.idPrefix), id.utf8.count <= 64 else {
                return .failure("must be the id of a \(target.singular) (\(target.idPrefix)…)")
            }
            return .success(value)
        case .references(let target):
            return normalizeList(value) { id in
                id.hasPrefix(target.idPrefix) && id.utf8.count <= 64
                    ? nil : "must hold ids of \(target.rawValue) (\(target.idPrefix)…)"
            }
        case .level:
            guard case .string(let name) = value, Confidentiality(name: name) != nil else {
                return .failure("must be one of public, restricted, confidential")
            }
            return .success(value)
        }
    }

    /// Whether `value`, for a level field, is above the caller's clearance: a record (or its
    /// place) set there would vanish for the one who wrote it.
    private func isAboveClearance(_ value: JSONValue, _ spec: FieldSpec) -> Bool {
        guard case .level = spec.type, case .string(let name) = value, let level = Confidentiality(name: name)
        else { return false }
        return level > clearance
    }

    private func normalizeList(_ value: JSONValue, check: (String) -> String?) -> Result<JSONValue, Message> {
        guard case .array(let items) = value else { return .failure("must be an array of strings") }
        guard items.count <= 1000 else { return .failure("must hold at most 1000 items") }
        var seen = Set<String>()
        for item in items {
            guard case .string(let text) = item else { return .failure("must be an array of strings") }
            if let problem = check(text) { return .failure(problem) }
            guard seen.insert(text).inserted else { return .failure("holds \"\(text)\" twice") }
        }
        return .success(value)
    }

    private func unknownCode(_ code: String, in vocabulary: Vocabulary) -> String {
        "\"\(code)\" is not in the \(vocabulary.name) vocabulary (see /v1/vocabularies)"
    }

    // MARK: Rules across fields

    private func crossFieldErrors(_ fields: JSONObject, given input: JSONObject, prefix: String) -> [FieldError] {
        var errors: [FieldError] = []
        func has(_ name: String) -> Bool { fields[name] != nil }
        func given(_ name: String) -> Bool { !(input[name] ?? .null).isNull }

        if given("lat") != given("lon") {
            errors.append(FieldError(prefix + (given("lat") ? "lon" : "lat"), "lat and lon must be given together"))
        }
        for stem in ["victims", "deaths", "capacity"] {
            if case .int(let low)? = fields[stem + "_min"], case .int(let high)? = fields[stem + "_max"], high < low {
                errors.append(FieldError(prefix + stem + "_max", "must not be less than \(stem)_min (\(low))"))
            }
        }
        if case .string(let first)? = fields["first_reported"], case .string(let last)? = fields["last_reported"],
            let firstDate = try? UncertainDate(parsing: first), let lastDate = try? UncertainDate(parsing: last),
            let start = firstDate.earliest, let end = lastDate.latest, end < start
        {
            errors.append(FieldError(prefix + "last_reported", "must not be before first_reported"))
        }
        switch kind {
        case .allegations:
            if !has("incident_id") && !has("site_id") {
                errors.append(
                    FieldError(prefix + "incident_id", "an allegation needs incident_id or site_id (or both)"))
            }
        case .denials:
            if !has("allegation_id") && !has("incident_id") && !has("site_id") {
                errors.append(
                    FieldError(
                        prefix + "allegation_id", "a denial needs allegation_id, incident_id or site_id (at least one)")
                )
            }
            if !has("actor_id") && !has("speaker") {
                errors.append(FieldError(prefix + "actor_id", "a denial needs actor_id or speaker (who spoke)"))
            }
            if has("speaker_position") && !has("speaker") {
                errors.append(FieldError(prefix + "speaker", "is required with speaker_position"))
            }
        default:
            break
        }
        return errors
    }
}

/// A validation message; a type of its own so `Result` can carry it.
struct Message: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    let text: String
    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: DefaultStringInterpolation) { text = String(stringInterpolation: stringInterpolation) }
    init(_ text: String) { self.text = text }
}

extension Result where Failure == Message {
    static func failure(_ text: String) -> Result { .failure(Message(text)) }
}
