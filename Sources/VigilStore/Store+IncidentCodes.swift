import VigilJSON
import VigilSQLite

extension Store {
    /// The incident fields whose codes get a row each in `incident_codes`.
    static let codedIncidentFields = ["violation_types", "targeted_groups"]

    /// Writes the `incident_codes` rows of an incident just inserted (rowid `rowID`), one per
    /// code of its coded fields, with the country, date, level and id of the row as stored.
    ///
    /// Creating an incident is the one place these rows are made by the store rather than by a
    /// trigger (migrations/0011): the trigger had to read the codes back out of the stored JSON
    /// with `json_each`, which cost more than the inserts themselves. Changes to an existing
    /// incident keep their trigger (`incident_codes_update`); the rows it writes are the same.
    static func insertIncidentCodes(_ fields: JSONObject, rowID: Int64, in db: Database) throws {
        for field in codedIncidentFields {
            guard case .array(let codes)? = fields[field] else { continue }
            for case .string(let code) in codes {
                try db.run(
                    """
                    INSERT OR IGNORE INTO incident_codes
                        (incident_pk, field, code, country, occurred_earliest, deleted_at, confidentiality, id)
                    SELECT pk, ?, ?, country, occurred_earliest, deleted_at, confidentiality, id
                    FROM incidents WHERE pk = ?
                    """,
                    [.text(field), .text(code), .integer(rowID)])
            }
        }
    }
}
