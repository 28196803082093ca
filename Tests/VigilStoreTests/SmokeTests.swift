import Testing

@testable import VigilJSON
@testable import VigilStore

@Suite struct SmokeTests {
    @Test func createsAndReadsAnIncident() throws {
        let temporary = try TemporaryStore()
        let created = try temporary.store.make(
            .incidents, #"{"title": "Mass detention", "occurred": "2017-02/2017-03", "confidentiality": "public"}"#)
        #expect(created.id.hasPrefix("inc_"))
        #expect(created.version == 1)
        let read = try temporary.store.record(.incidents, id: created.id, as: Caller.publicReader)
        #expect(read.json["title"] == .string("Mass detention"))
        #expect(read.json["occurred_earliest"] == .string("2017-02-01"))
        #expect(read.json["occurred_latest"] == .string("2017-03-31"))
        #expect(read.json["allegation_count"] == .int(0))
    }
}
