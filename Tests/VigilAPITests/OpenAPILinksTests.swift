import Foundation
import Testing
import VigilStore

@testable import VigilJSON

/// The OpenAPI document's links, which schemathesis' stateful phase follows: each must name an
/// operation that exists and fill only parameters that operation has, and following the main one
/// (a created incident's id and ETag into its PATCH) must work against the real server.
@Suite struct OpenAPILinksTests {
    @Test func everyLinkNamesARealOperationAndItsParameters() throws {
        let server = try TestServer()
        let document = try server.request("GET", "/openapi.json").object
        var parametersByOperation: [String: Set<String>] = [:]
        var links: [(from: String, name: String, link: JSONObject)] = []
        for (_, item) in document["paths"]?.objectValue ?? JSONObject() {
            for (_, operation) in item.objectValue ?? JSONObject() {
                guard let operation = operation.objectValue, let id = operation["operationId"]?.stringValue else {
                    continue
                }
                let parameters = (operation["parameters"]?.arrayValue ?? []).compactMap { value -> String? in
                    guard let parameter = value.objectValue, let name = parameter["name"]?.stringValue,
                        let place = parameter["in"]?.stringValue
                    else { return nil }
                    return "\(place).\(name)"
                }
                parametersByOperation[id] = Set(parameters)
                for (_, response) in operation["responses"]?.objectValue ?? JSONObject() {
                    for (name, link) in response.objectValue?["links"]?.objectValue ?? JSONObject() {
                        links.append((id, name, link.objectValue ?? JSONObject()))
                    }
                }
            }
        }
        #expect(links.count >= 50, "links from every resource's create, get, update, delete and list")
        for (from, name, link) in links {
            let target = link["operationId"]?.stringValue ?? ""
            let known = parametersByOperation[target]
            #expect(known != nil, "\(from) link \(name) names \(target), which is not an operation")
            for (parameter, expression) in link["parameters"]?.objectValue ?? JSONObject() {
                #expect(
                    known?.contains(parameter) == true, "\(from) link \(name): \(target) has no parameter \(parameter)")
                #expect(expression.stringValue?.hasPrefix("$response.") == true)
            }
        }
    }

    @Test func followingTheCreateLinkPatchesTheCreatedRecord() throws {
        let server = try TestServer()
        let document = try server.request("GET", "/openapi.json").object
        let created201 = document["paths"]?.objectValue?["/v1/incidents"]?.objectValue?["post"]?.objectValue?[
            "responses"]?
            .objectValue?["201"]?.objectValue
        let update = try #require(
            created201?["links"]?.objectValue?["UpdateIncident"]?.objectValue?["parameters"]?.objectValue)
        #expect(update["path.id"] == .string("$response.body#/id"))
        #expect(update["header.If-Match"] == .string("$response.header.ETag"))
        let created = try server.request(
            "POST", "/v1/incidents", json: #"{"title": "Linked", "confidentiality": "public"}"#)
        #expect(created.status == 201)
        let id = try #require(created.object["id"]?.stringValue)
        let etag = try #require(created.header("ETag"))
        let patched = try server.request(
            "PATCH", "/v1/incidents/\(id)", json: #"{"title": "Linked and patched"}"#, headers: [("If-Match", etag)])
        #expect(patched.status == 200)
    }
}
