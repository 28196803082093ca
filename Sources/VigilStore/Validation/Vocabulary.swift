/// One code of a controlled vocabulary, with what it means.
///
/// Served at `/v1/vocabularies` so clients and dashboards can show a label and explain a code
/// instead of hard-coding their own (diverging) meanings.
public struct VocabularyTerm: Sendable, Hashable {
    /// The stable value stored in records and sent over the API (e.g. `arbitrary_detention`).
    public let code: String
    /// A short human label (e.g. "Arbitrary detention").
    public let label: String
    /// A precise one-line definition, so that coders apply the term consistently.
    public let definition: String

    /// Creates a term.
    public init(code: String, label: String, definition: String) {
        self.code = code
        self.label = label
        self.definition = definition
    }
}

/// A named, ordered list of allowed codes for one field (or one family of fields).
///
/// Validation uses `contains(_:)` to turn an unknown code into a 422; the order of `terms` is the
/// order clients should present them in.
public struct Vocabulary: Sendable {
    /// The snake_case name under which the vocabulary is served (e.g. `violation_types`).
    public let name: String
    /// The terms in presentation order.
    public let terms: [VocabularyTerm]
    private let codeSet: Set<String>

    /// Creates a vocabulary from its terms, in presentation order.
    public init(name: String, terms: [VocabularyTerm]) {
        self.name = name
        self.terms = terms
        self.codeSet = Set(terms.map(\.code))
    }

    /// Whether `code` belongs to the vocabulary (exact, case-sensitive match), in O(1).
    public func contains(_ code: String) -> Bool {
        codeSet.contains(code)
    }

    /// The codes in presentation order.
    public var codes: [String] {
        terms.map(\.code)
    }

    /// The term for `code`, if it belongs to the vocabulary.
    public func term(_ code: String) -> VocabularyTerm? {
        guard contains(code) else { return nil }
        return terms.first { $0.code == code }
    }
}

extension Vocabulary {
    /// Shorthand used by the catalog in `Vocabularies` to keep the term lists readable.
    init(_ name: String, _ terms: [(String, String, String)]) {
        self.init(
            name: name,
            terms: terms.map { VocabularyTerm(code: $0.0, label: $0.1, definition: $0.2) })
    }
}
