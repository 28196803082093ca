import Foundation
import Testing
import VigilStore

@testable import VigilJSON

/// Every endpoint over real HTTP, with each error status it can answer.
@Suite struct EndpointTests {
    @Test func createGetPatchDeleteRestoreHistory() throws {
        let server = try TestServer()
        let created = try server.request(
            "POST", "/v1/incidents",
            json: #"{"title": "Detentions", "occurred": "2017-02/2017-03", "confidentiality": "public"}"#)
        #expect(created.status == 201)
        let id = try #require(created.object["id"]?.stringValue)
        #expect(created.header("Location") == "/v1/incidents/\(id)")
        #expect(created.header("ETag") == "\"1\"")
        #expect(created.header("Content-Type") == "application/json")

        let fetched = try server.request("GET", "/v1/incidents/\(id)", token: "reader-public")
        #expect(fetched.status == 200)
        #expect(fetched.object["occurred_earliest"] == .string("2017-02-01"))
        #expect(try server.request("GET", "/v1/incidents/\(id)", headers: [("If-None-Match", "\"1\"")]).status == 304)
        #expect(try server.request("GET", "/v1/incidents/\(id)", headers: [("If-None-Match", "\"7\"")]).status == 200)

        let patched = try server.request(
            "PATCH", "/v1/incidents/\(id)", token: "editor", json: #"{"summary": "s"}"#,
            headers: [("Content-Type", "application/merge-patch+json"), ("If-Match", "\"1\"")])
        #expect(patched.status == 200)
        #expect(patched.header("ETag") == "\"2\"")
        // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches, If-None-Match's weak one does.
        #expect(
            try server.request(
                "PATCH", "/v1/incidents/\(id)", token: "editor", json: #"{"summary": "weak"}"#,
                headers: [("If-Match", "W/\"2\"")]
            ).status == 412)
        #expect(try server.request("GET", "/v1/incidents/\(id)", headers: [("If-None-Match", "W/\"2\"")]).status == 304)
        let stale = try server.request(
            "PATCH", "/v1/incidents/\(id)", token: "editor", json: #"{"summary": "late"}"#,
            headers: [("If-Match", "\"1\"")])
        #expect(stale.status == 412)
        #expect(stale.header("Content-Type") == "application/problem+json")
        #expect(try server.request("GET", "/v1/incidents/\(id)").object["summary"] == .string("s"))

        #expect(try server.request("DELETE", "/v1/incidents/\(id)", token: "editor").status == 403)
        #expect(try server.request("DELETE", "/v1/incidents/\(id)", headers: [("If-Match", "\"1\"")]).status == 412)
        let deleted = try server.request("DELETE", "/v1/incidents/\(id)")
        #expect(deleted.status == 200)
        #expect(deleted.object["deleted_at"] != nil)
        #expect(try server.request("GET", "/v1/incidents/\(id)").status == 410)
        #expect(try server.request("PATCH", "/v1/incidents/\(id)", json: #"{"title": "x"}"#).status == 410)
        #expect(try server.request("POST", "/v1/incidents/\(id)/restore").status == 200)
        #expect(try server.request("POST", "/v1/incidents/\(id)/restore").status == 409)
        #expect(try server.request("GET", "/v1/incidents/\(id)").status == 200)

        let history = try server.request("GET", "/v1/incidents/\(id)/history")
        #expect(history.status == 200)
        #expect(history.data.map { $0["action"]?.stringValue ?? "" } == ["create", "update", "delete", "restore"])
        #expect(history.data[1]["before"]?.objectValue?["summary"] == nil)
        #expect(history.data[1]["after"]?.objectValue?["summary"] == .string("s"))
    }

    @Test func listsFilterSortPageAndCount() throws {
        let server = try TestServer()
        var body: [String] = []
        for index in 0..<25 {
            body.append(
                #"{"title": "i\#(index)", "country": "\#(index % 2 == 0 ? "RU" : "GB")", "victims_min": \#(index)}"#)
        }
        #expect(
            try server.request("POST", "/v1/incidents", json: "[" + body.joined(separator: ",") + "]").status == 201)
        let first = try server.request("GET", "/v1/incidents?country=RU&sort=-victims_min&limit=5&count=true")
        #expect(first.status == 200)
        #expect(first.object["total"] == .int(13))
        #expect(first.data.map { $0["victims_min"] } == [.int(24), .int(22), .int(20), .int(18), .int(16)])
        let cursor = try #require(first.object["next_cursor"]?.stringValue)
        let link = try #require(first.header("Link"))
        #expect(link.hasSuffix("rel=\"next\"") && link.contains("cursor="))
        let second = try server.request("GET", "/v1/incidents?country=RU&sort=-victims_min&limit=5&cursor=\(cursor)")
        #expect(second.data.map { $0["victims_min"] } == [.int(14), .int(12), .int(10), .int(8), .int(6)])
        // Following the Link header gives the same page.
        let target = String(link.dropFirst().prefix { $0 != ">" })
        #expect(try server.request("GET", target).data.map { $0["id"] } == second.data.map { $0["id"] })
        let ranged = try server.request("GET", "/v1/incidents?victims_min.gte=10&victims_min.lt=13&country.in=RU,GB")
        #expect(ranged.data.count == 3)
        #expect(try server.request("GET", "/v1/incidents?updated_since=2000-01-01T00:00:00Z&limit=1").data.count == 1)
    }

    @Test func unknownParametersFieldsAndOperatorsAre400NamingThem() throws {
        let server = try TestServer()
        let response = try server.request("GET", "/v1/incidents?bogus=1&country.like=R&title=x")
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(Set(response.errorFields) == ["bogus", "country.like"])
        #expect(try server.request("GET", "/v1/incidents?sort=violation_types").status == 400)
        #expect(try server.request("GET", "/v1/incidents?limit=0").status == 400)
        #expect(try server.request("GET", "/v1/incidents?limit=1001").status == 400)
        #expect(try server.request("GET", "/v1/incidents?cursor=garbage").status == 400)
        #expect(try server.request("GET", "/v1/incidents?occurred.gte=2017-02-30").status == 400)
        #expect(try server.request("GET", "/v1/incidents/inc_X?expand=1").status == 400)
        #expect(try server.request("GET", "/v1/changes?since=-1").status == 400)
        #expect(try server.request("GET", "/v1/vocabularies?x=1").status == 400)
    }

    @Test func bodyErrors() throws {
        let server = try TestServer()
        #expect(
            try server.request(
                "POST", "/v1/incidents", body: Array(#"{"title":"x"}"#.utf8), headers: [("Content-Type", "text/plain")]
            ).status == 415)
        #expect(try server.request("POST", "/v1/incidents", body: Array(#"{"title":"x"}"#.utf8)).status == 415)
        #expect(try server.request("POST", "/v1/incidents", json: #"{"title": "x""#).status == 400)
        #expect(try server.request("POST", "/v1/incidents", json: #""just a string""#).status == 422)
        let invalid = try server.request(
            "POST", "/v1/incidents", json: #"{"title": "x", "country": "UK", "id": "inc_1", "allegation_count": 3}"#)
        #expect(invalid.status == 422)
        #expect(Set(invalid.errorFields) == ["country", "id", "allegation_count"])
        let batch = try server.request(
            "POST", "/v1/incidents", json: #"[{"title": "ok"}, {"nope": 1}, {"title": "x", "lat": 1}]"#)
        #expect(batch.status == 422)
        let indexes = batch.object["errors"]?.arrayValue?.compactMap { $0.objectValue?["index"]?.intValue } ?? []
        #expect(Set(indexes) == [1, 2])
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"] == .int(0), "nothing was created")
        let patch = try server.request("POST", "/v1/incidents", json: #"{"title": "t"}"#)
        let id = patch.object["id"]?.stringValue ?? ""
        #expect(try server.request("PATCH", "/v1/incidents/\(id)", json: #"{"titel": "x"}"#).errorFields == ["titel"])
        #expect(try server.request("PATCH", "/v1/incidents/\(id)", json: #"[1]"#).status == 422)
        #expect(
            try server.request(
                "PATCH", "/v1/incidents/\(id)", body: Array("{}".utf8), headers: [("Content-Type", "text/csv")]
            ).status == 415)
    }

    @Test func methodsAndPaths() throws {
        let server = try TestServer()
        let wrong = try server.request("PUT", "/v1/incidents")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow")?.contains("POST") == true)
        #expect(try server.request("GET", "/v1/nothing").status == 404)
        #expect(try server.request("GET", "/v1/incidents/inc_01ABC").status == 404)
        let health = try server.request("GET", "/healthz", token: nil)
        #expect(health.status == 200)
        #expect(health.object["status"] == .string("ok"))
    }

    @Test func idempotencyKeyReplaysTheFirstAnswer() throws {
        let server = try TestServer()
        let body = #"{"title": "once"}"#
        let first = try server.request("POST", "/v1/incidents", json: body, headers: [("Idempotency-Key", "k-1")])
        let again = try server.request("POST", "/v1/incidents", json: body, headers: [("Idempotency-Key", "k-1")])
        #expect(first.status == 201)
        #expect(again.status == 201)
        #expect(again.body == first.body)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"] == .int(1))
        let different = try server.request(
            "POST", "/v1/incidents", json: #"{"title": "twice"}"#, headers: [("Idempotency-Key", "k-1")])
        #expect(different.status == 422)
        // Keys are per token.
        let other = try server.request(
            "POST", "/v1/incidents", token: "editor", json: body, headers: [("Idempotency-Key", "k-1")])
        #expect(other.status == 201)
        #expect(other.object["id"] != first.object["id"])
    }

    @Test("a retry after the created record was purged gets 410, not the erased answer or a new record")
    func idempotentRetryAfterPurgeIsGone() throws {
        let server = try TestServer()
        let body = #"{"title": "Named Wqzt", "summary": "Witness Wqzt"}"#
        let first = try server.request("POST", "/v1/incidents", json: body, headers: [("Idempotency-Key", "k-purge")])
        #expect(first.status == 201)
        let id = try #require(first.object["id"]?.stringValue)
        _ = try server.store.purge(id: id, as: AccessContext(actor: "admin", role: .admin, clearance: .confidential))
        let retry = try server.request("POST", "/v1/incidents", json: body, headers: [("Idempotency-Key", "k-purge")])
        #expect(retry.status == 410)
        #expect(retry.header("Content-Type") == "application/problem+json")
        #expect(!retry.text.contains("Wqzt"))
        #expect(retry.text.contains(id))
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"] == .int(0))
    }

    @Test func linksIncludesChangesAndVocabularies() throws {
        let server = try TestServer()
        let site =
            try server.request("POST", "/v1/sites", json: #"{"name": "Argun", "confidentiality": "public"}"#).object[
                "id"]?.stringValue ?? ""
        let source =
            try server.request("POST", "/v1/sources", json: #"{"name": "NG", "confidentiality": "public"}"#).object[
                "id"]?.stringValue ?? ""
        let incident =
            try server.request("POST", "/v1/incidents", json: #"{"title": "t", "confidentiality": "public"}"#).object[
                "id"]?.stringValue ?? ""
        let linked = try server.request(
            "POST", "/v1/incidents/\(incident)/sites", token: "editor",
            json: #"{"site_id": "\#(site)", "role": "held_at", "period": "2017-02"}"#)
        #expect(linked.status == 201)
        #expect(
            try server.request(
                "POST", "/v1/incidents/\(incident)/sites", json: #"{"site_id": "\#(site)", "role": "held_at"}"#
            ).status == 409)
        #expect(
            try server.request(
                "POST", "/v1/incidents/\(incident)/sites", json: #"{"site_id": "\#(site)", "role": "visited"}"#
            ).status == 422)
        let links = try server.request("GET", "/v1/incidents/\(incident)/sites", token: "reader-public")
        #expect(links.data.map { $0["role"] } == [.string("held_at")])
        let allegation = try server.request(
            "POST", "/v1/allegations",
            json:
                #"{"source_id": "\#(source)", "incident_id": "\#(incident)", "claim": "c", "alleged_on": "2017-04-01", "confidentiality": "public"}"#
        )
        #expect(allegation.status == 201)
        let denial = try server.request(
            "POST", "/v1/denials",
            json:
                #"{"statement": "no", "allegation_id": "\#(allegation.object["id"]?.stringValue ?? "")", "speaker": "x", "confidentiality": "public"}"#
        )
        #expect(denial.status == 201)
        let full = try server.request(
            "GET", "/v1/incidents/\(incident)?include=allegations,denials,sites,sources", token: "reader-public")
        #expect(full.status == 200)
        #expect(full.object["allegations"]?.arrayValue?.count == 1)
        #expect(full.object["denials"]?.arrayValue?.count == 1)
        #expect(full.object["sources"]?.arrayValue?.first?.objectValue?["name"] == .string("NG"))
        #expect(
            full.object["sites"]?.arrayValue?.first?.objectValue?["link"]?.objectValue?["role"] == .string("held_at"))
        #expect(try server.request("GET", "/v1/incidents/\(incident)?include=nonsense").status == 400)
        let linkID = linked.object["id"]?.stringValue ?? ""
        #expect(try server.request("DELETE", "/v1/incidents/\(incident)/sites/\(linkID)").status == 204)
        #expect(try server.request("DELETE", "/v1/incidents/\(incident)/sites/\(linkID)").status == 404)

        let changes = try server.request("GET", "/v1/changes?limit=2", token: "reader-public")
        #expect(changes.status == 200)
        #expect(changes.data.count == 2)
        #expect(changes.object["has_more"] == .bool(true))
        let next = changes.object["next_since"]?.stringValue ?? ""
        let rest = try server.request("GET", "/v1/changes?since=\(next)&limit=1000", token: "reader-public")
        let whole = try server.request("GET", "/v1/changes?limit=1000", token: "reader-public")
        #expect(rest.data.map { $0["record_id"] } == whole.data.dropFirst(2).map { $0["record_id"] })

        let vocabularies = try server.request("GET", "/v1/vocabularies", token: "reader-public")
        #expect(vocabularies.status == 200)
        let violations = vocabularies.object["violation_types"]?.arrayValue ?? []
        #expect(violations.contains { $0.objectValue?["code"] == .string("forced_outing") })
        #expect(violations.allSatisfy { !($0.objectValue?["definition"]?.stringValue ?? "").isEmpty })
    }

    @Test func linkErrorsAreByItemAndARepeatedLinkIsInvalidInput() throws {
        let server = try TestServer()
        let incident =
            try server.request("POST", "/v1/incidents", json: #"{"title": "Detentions"}"#).object["id"]?.stringValue
            ?? ""
        let site = try server.request("POST", "/v1/sites", json: #"{"name": "Argun"}"#).object["id"]?.stringValue ?? ""
        let links = try server.request(
            "POST", "/v1/incidents/\(incident)/sites",
            json: #"""
                [{"site_id": "\#(site)", "role": "held_at"}, {"site_id": "\#(site)", "role": "bogus"}, {"site_id": "site_NOPE", "role": "held_at"}]
                """#)
        #expect(links.status == 422)
        let errors = links.object["errors"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(errors.contains { $0["index"]?.intValue == 1 && $0["field"] == .string("role") }, "\(errors)")
        // A repeated link is refused as input, naming the item, not as a conflict with an incident not yet made.
        let twice = try server.request(
            "POST", "/v1/incidents",
            json: #"""
                {"title": "Twice", "sites": [{"site_id": "\#(site)", "role": "held_at"}, {"site_id": "\#(site)", "role": "held_at"}]}
                """#)
        #expect(twice.status == 422)
        #expect(twice.object["errors"]?.arrayValue?.first?.objectValue?["field"] == .string("sites[1]"))
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"]?.intValue == 1)
    }

    @Test func linksAndEmbeddedListsAreOrderedTheSameWay() throws {
        let server = try TestServer()
        let incident =
            try server.request("POST", "/v1/incidents", json: #"{"title": "Detentions"}"#).object["id"]?.stringValue
            ?? ""
        let source =
            try server.request("POST", "/v1/sources", json: #"{"name": "Paper"}"#).object["id"]?.stringValue ?? ""
        var sites: [String] = []
        for name in ["March", "Undated", "February"] {
            sites.append(
                try server.request("POST", "/v1/sites", json: #"{"name": "\#(name)"}"#).object["id"]?.stringValue ?? "")
        }
        _ = try server.request(
            "POST", "/v1/incidents/\(incident)/sites",
            json: #"""
                [{"site_id": "\#(sites[0])", "role": "held_at", "period": "2017-03"}, {"site_id": "\#(sites[1])", "role": "held_at"},
                 {"site_id": "\#(sites[2])", "role": "held_at", "period": "2017-02"}]
                """#)
        var allegations: [String] = []
        for date in ["2017-04-24", nil, "2017-04-01"] {
            let dated = date.map { #", "alleged_on": "\#($0)""# } ?? ""
            allegations.append(
                try server.request(
                    "POST", "/v1/allegations",
                    json: #"""
                        {"source_id": "\#(source)", "incident_id": "\#(incident)", "claim": "c"\#(dated)}
                        """#
                ).object["id"]?.stringValue ?? "")
        }
        let links = try server.request("GET", "/v1/incidents/\(incident)/sites").data.compactMap {
            $0["site_id"]?.stringValue
        }
        #expect(links == [sites[1], sites[2], sites[0]], "undated first, then by period")
        let embedded = try server.request("GET", "/v1/incidents/\(incident)?include=allegations").object["allegations"]?
            .arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue }
        #expect(embedded == [allegations[1], allegations[2], allegations[0]], "undated first, then by date")
    }

    @Test func metricsCountAnswersAndSayNothingAboutRecords() throws {
        let server = try TestServer()
        #expect(try server.request("GET", "/metrics", token: nil).status == 401)
        // Admins only: counts and the database's growth show when records are written, hidden ones too.
        #expect(try server.request("GET", "/metrics", token: "reader-confidential").status == 403)
        #expect(try server.request("GET", "/metrics", token: "editor").status == 403)
        for _ in 0..<3 { #expect(try server.request("GET", "/v1/incidents", token: "reader-public").status == 200) }
        #expect(try server.request("GET", "/v1/incidents/inc_NOPE", token: "reader-public").status == 404)
        let metrics = try server.request("GET", "/metrics", token: "admin")
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        func value(_ sample: String) -> Double? {
            metrics.text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
                .flatMap { Double($0.dropFirst(sample.count + 1)) }
        }
        #expect((value(#"vigil_http_responses_total{class="2xx"}"#) ?? 0) >= 3)
        #expect((value(#"vigil_http_responses_total{class="4xx"}"#) ?? 0) >= 4)  // the 404, the 401 and the 403s
        #expect((value(#"vigil_database_size_bytes{file="database"}"#) ?? 0) > 0)
        #expect((value("vigil_process_resident_memory_bytes") ?? 0) > 1_000_000)
        // The reads above went through the pool's connections, which note their caches as they
        // are given back: at least one page (the schema's) is cached.
        #expect((value("vigil_sqlite_page_cache_bytes") ?? 0) > 4096)
        // The allocator's heap, in both states: in use holds at least the open server.
        let heap = value(#"vigil_process_heap_bytes{state="in_use"}"#) ?? 0
        #expect(heap > 1_000_000)
        #expect(value(#"vigil_process_heap_bytes{state="kept_free"}"#) != nil)
        #expect(!metrics.text.contains("incidents"))
        #expect(try server.request("GET", "/metrics?x=1", token: "admin").status == 400)
    }

    /// `/v1/incidents/facets` is the facets route alone: `{id}`'s PATCH and DELETE do not answer
    /// it (its Allow offered them, and a DELETE reached the record route as id "facets").
    @Test func aLiteralSegmentIsNotTakenForAnID() throws {
        let server = try TestServer()
        for (method, token) in [("DELETE", "admin"), ("PATCH", "admin"), ("DELETE", nil)] as [(String, String?)] {
            let response = try server.request(method, "/v1/incidents/facets", token: token)
            #expect(response.status == 405, "\(method) /v1/incidents/facets answered \(response.status)")
            #expect(response.header("Allow") == "GET, HEAD")
        }
        #expect(try server.request("GET", "/v1/incidents/facets?fields=country", token: "admin").status == 200)
        #expect(try server.request("DELETE", "/v1/incidents/inc_NOPE", token: "admin").status == 404)
    }

    @Test func aBatchWithItemsThatAreNotObjectsListsEveryBadItem() throws {
        let server = try TestServer()
        let batch = try server.request(
            "POST", "/v1/incidents",
            json: #"""
                [{"title": "ok"}, 5, {"summary": "no title"}, "x", {"title": "t", "perpetrator_ids": ["act_NOPE"]}]
                """#)
        #expect(batch.status == 422)
        let errors = batch.object["errors"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(Set(errors.compactMap { $0["index"]?.intValue }) == [1, 2, 3, 4])
        #expect(errors.contains { $0["index"]?.intValue == 2 && $0["field"] == .string("title") })
        #expect(errors.contains { $0["index"]?.intValue == 4 && $0["field"] == .string("perpetrator_ids") })
        #expect(try server.request("GET", "/v1/incidents?count=true").object["total"]?.intValue == 0)
    }

    @Test func publicReadLetsAnonymousReadPublicRecordsOnly() throws {
        let server = try TestServer(publicRead: true)
        let open = try server.request("POST", "/v1/incidents", json: #"{"title": "open", "confidentiality": "public"}"#)
        let hidden = try server.request("POST", "/v1/incidents", json: #"{"title": "hidden"}"#)
        let list = try server.request("GET", "/v1/incidents", token: nil)
        #expect(list.status == 200)
        #expect(list.data.map { $0["id"] } == [open.object["id"]])
        #expect(
            try server.request("GET", "/v1/incidents/\(hidden.object["id"]?.stringValue ?? "")", token: nil).status
                == 404)
        // A write without a token is a missing token (401 with a challenge), not a role refused.
        let anonymousWrite = try server.request("POST", "/v1/incidents", token: nil, json: #"{"title": "x"}"#)
        #expect(anonymousWrite.status == 401)
        #expect(anonymousWrite.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(
            try server.request("DELETE", "/v1/incidents/\(open.object["id"]?.stringValue ?? "")", token: nil).status
                == 401)
        #expect(
            try server.request("POST", "/v1/incidents", token: "reader-public", json: #"{"title": "x"}"#).status == 403)
        #expect(try server.request("GET", "/v1/incidents", token: "revoked").status == 401)
    }

    @Test func openAPIDocumentsEveryRouteAndParses() throws {
        let server = try TestServer()
        let response = try server.request("GET", "/openapi.json")
        #expect(response.status == 200)
        #expect(response.object["openapi"] == .string("3.1.0"))
        let paths = response.object["paths"]?.objectValue ?? JSONObject()
        for path in [
            "/v1/incidents", "/v1/incidents/{id}", "/v1/incidents/{id}/sites", "/v1/changes", "/v1/vocabularies",
            "/healthz",
        ] {
            #expect(paths[path] != nil, "\(path) is documented")
        }
        // Every documented operation is routed: asking it without a token is never a 404/405.
        for (path, item) in paths {
            for (method, _) in item.objectValue ?? JSONObject() {
                let concrete = path.replacingOccurrences(of: "{id}", with: "inc_X").replacingOccurrences(
                    of: "{link_id}", with: "lnk_X")
                let status = try server.request(method.uppercased(), concrete, token: nil).status
                #expect(status != 405 && !(status == 404 && !concrete.contains("_X")), "\(method) \(path) → \(status)")
            }
        }
    }
}
