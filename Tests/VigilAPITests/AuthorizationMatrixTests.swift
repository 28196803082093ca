import Foundation
import Testing
import VigilAPI
import VigilStore

@testable import VigilJSON

/// Every endpoint × every kind of caller, with the expected status, and no value above the
/// caller's clearance anywhere in any response body.
@Suite struct AuthorizationMatrixTests {
    static let callers = [nil, "reader-public", "reader-restricted", "editor", "admin", "revoked"]

    /// Values that exist only above `public` (restricted) or only at `confidential`.
    static let restrictedValues = [
        "Qzx-restricted-incident", "Qzx-restricted-claim", "clamps on fingers", "45.87", "43.24", "Qzx-restricted-site",
    ]
    static let confidentialValues = ["+0 000 000 0000", "Survivor testimony S-1", "Qzx-confidential-actor"]

    enum Need { case none, read, write, admin }

    struct Endpoint {
        let name: String
        let method: String
        let target: String
        let body: String?
        let need: Need
        /// The lowest clearance that sees the target (the endpoint is a 404 below it).
        let level: Confidentiality
        let success: Int
    }

    @Test func everyEndpointForEveryCaller() throws {
        let server = try TestServer(demo: true)
        let store = server.store
        let admin = AccessContext(actor: "setup", role: .admin, clearance: .confidential)
        func make(_ kind: ResourceKind, _ json: String) throws -> String {
            guard case .object(let object) = try JSONValue.parse(Array(json.utf8)) else { return "" }
            return try store.create(kind, object, as: admin).id
        }
        let publicIncident = try make(.incidents, #"{"title": "open", "confidentiality": "public"}"#)
        let restrictedIncident = try make(
            .incidents, #"{"title": "Qzx-restricted-incident", "confidentiality": "restricted"}"#)
        let restrictedSite = try make(.sites, #"{"name": "Qzx-restricted-site", "confidentiality": "restricted"}"#)
        let source = try make(.sources, #"{"name": "open source", "confidentiality": "public"}"#)
        _ = try make(
            .allegations,
            #"{"source_id": "\#(source)", "incident_id": "\#(publicIncident)", "claim": "Qzx-restricted-claim", "confidentiality": "restricted"}"#
        )
        _ = try make(.actors, #"{"name": "Qzx-confidential-actor", "confidentiality": "confidential"}"#)
        _ = try store.link(
            incidentID: publicIncident,
            .object(JSONObject([("site_id", .string(restrictedSite)), ("role", .string("held_at"))])), as: admin)
        let demoIncident = try store.list(
            .incidents,
            {
                var q = ListQuery()
                q.filters = [Filter(field: "tags", op: .eq, value: "chechnya-2017")]
                return q
            }(), as: admin
        ).records[0].id

        var endpoints: [Endpoint] = [
            Endpoint(
                name: "health", method: "GET", target: "/healthz", body: nil, need: .none, level: .public, success: 200),
            Endpoint(
                name: "openapi", method: "GET", target: "/openapi.json", body: nil, need: .read, level: .public,
                success: 200),
            Endpoint(
                name: "vocabularies", method: "GET", target: "/v1/vocabularies", body: nil, need: .read, level: .public,
                success: 200),
            Endpoint(
                name: "changes", method: "GET", target: "/v1/changes?limit=1000", body: nil, need: .read,
                level: .public, success: 200),
            Endpoint(
                name: "get demo incident", method: "GET",
                target: "/v1/incidents/\(demoIncident)?include=allegations,denials,sites,sources", body: nil,
                need: .read, level: .public, success: 200),
            Endpoint(
                name: "get restricted", method: "GET", target: "/v1/incidents/\(restrictedIncident)", body: nil,
                need: .read, level: .restricted, success: 200),
            Endpoint(
                name: "history restricted", method: "GET", target: "/v1/incidents/\(restrictedIncident)/history",
                body: nil, need: .read, level: .restricted, success: 200),
            Endpoint(
                name: "history demo", method: "GET", target: "/v1/incidents/\(demoIncident)/history", body: nil,
                need: .read, level: .public, success: 200),
            Endpoint(
                name: "links", method: "GET", target: "/v1/incidents/\(publicIncident)/sites", body: nil, need: .read,
                level: .public, success: 200),
            Endpoint(
                name: "patch", method: "PATCH", target: "/v1/incidents/\(publicIncident)",
                body: #"{"summary": "changed"}"#, need: .write, level: .public, success: 200),
            Endpoint(
                name: "patch restricted", method: "PATCH", target: "/v1/incidents/\(restrictedIncident)",
                body: #"{"summary": "changed"}"#, need: .write, level: .restricted, success: 200),
        ]
        for kind in ResourceKind.allCases {
            endpoints.append(
                Endpoint(
                    name: "list \(kind.rawValue)", method: "GET", target: "/v1/\(kind.rawValue)?limit=1000&count=true",
                    body: nil, need: .read, level: .public, success: 200))
        }
        endpoints.append(
            Endpoint(
                name: "create", method: "POST", target: "/v1/actors",
                body: #"{"name": "new", "confidentiality": "public"}"#, need: .write, level: .public, success: 201))

        for caller in Self.callers {
            // Fresh targets for destructive endpoints, per caller.
            let victim = try make(.incidents, #"{"title": "to delete", "confidentiality": "public"}"#)
            let tombstone = try make(.incidents, #"{"title": "to restore", "confidentiality": "public"}"#)
            _ = try store.delete(.incidents, id: tombstone, as: admin)
            let freshSite = try make(.sites, #"{"name": "link target", "confidentiality": "public"}"#)
            let all =
                endpoints + [
                    Endpoint(
                        name: "link", method: "POST", target: "/v1/incidents/\(publicIncident)/sites",
                        body: #"{"site_id": "\#(freshSite)", "role": "other"}"#, need: .write, level: .public,
                        success: 201),
                    Endpoint(
                        name: "delete", method: "DELETE", target: "/v1/incidents/\(victim)", body: nil, need: .admin,
                        level: .public, success: 200),
                    Endpoint(
                        name: "restore", method: "POST", target: "/v1/incidents/\(tombstone)/restore", body: nil,
                        need: .admin, level: .public, success: 200),
                ]
            for endpoint in all {
                let response = try server.request(endpoint.method, endpoint.target, token: caller, json: endpoint.body)
                let expected = Self.expectedStatus(endpoint, caller: caller)
                let status = response.status
                #expect(status == expected, "\(endpoint.name) as \(caller ?? "no token"): \(response.text.prefix(200))")
                let clearance = Self.clearance(of: caller)
                let text = response.text
                for secret in Self.restrictedValues where clearance < .restricted {
                    let leaked = text.contains(secret)
                    #expect(!leaked, "\(endpoint.name) as \(caller ?? "no token") leaks \(secret)")
                }
                for secret in Self.confidentialValues where clearance < .confidential {
                    let leaked = text.contains(secret)
                    #expect(!leaked, "\(endpoint.name) as \(caller ?? "no token") leaks \(secret)")
                }
                if response.status >= 400 {
                    #expect(response.header("Content-Type") == "application/problem+json", "\(endpoint.name)")
                }
                if response.status == 401 {
                    #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
                }
            }
        }
    }

    static func clearance(of caller: String?) -> Confidentiality {
        switch caller {
        case "reader-restricted": .restricted
        case "editor", "admin", "reader-confidential": .confidential
        default: .public
        }
    }

    static func expectedStatus(_ endpoint: Endpoint, caller: String?) -> Int {
        if endpoint.need == .none { return endpoint.success }
        guard let caller, caller != "revoked" else { return 401 }
        let role: Role = caller == "admin" ? .admin : caller == "editor" ? .editor : .reader
        switch endpoint.need {
        case .write where role < .editor, .admin where role < .admin: return 403
        default: break
        }
        return clearance(of: caller) >= endpoint.level ? endpoint.success : 404
    }
}
