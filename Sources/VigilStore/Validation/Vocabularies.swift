/// The catalog of Vigil's controlled vocabularies: every enumerated field of the data model.
///
/// Kept in one place so that validation, the `/v1/vocabularies` endpoint and the OpenAPI document
/// all agree on the allowed codes. Codes never change meaning once published; new codes are added
/// at the end of a list.
public enum Vocabularies {
    /// Every vocabulary, in the stable order served at `/v1/vocabularies`.
    public static let all: [Vocabulary] = [
        violationTypes, targetedGroups, verification, siteType, evidence, siteStatus, sourceType,
        reliability, actorType, assessment, stance, venue, linkRole, geoPrecision,
        confidentiality,
    ]

    private static let byName: [String: Vocabulary] = Dictionary(
        all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The vocabulary called `name` (e.g. `"stance"`), for `/v1/vocabularies/{name}` and for
    /// validators that look fields up by name.
    public static func named(_ name: String) -> Vocabulary? {
        byName[name]
    }
}
