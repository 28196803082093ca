import VigilJSON
import VigilStore

/// `GET /openapi.json`: an OpenAPI 3.1 document generated from the same tables the code runs on
/// (the field catalog and ``VigilService/routes``), so it cannot drift from the service. A test
/// checks that every route is documented and every documented operation is routed.
enum OpenAPIDocument {
    static let document: JSONValue = build()

    private static func object(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(pairs)) }
    private static func ref(_ name: String) -> JSONValue { object([("$ref", .string("#/components/schemas/\(name)"))]) }
    private static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    static func build() -> JSONValue {
        var paths = JSONObject()
        for route in VigilService.routes {
            let path = route.pattern
            var item = paths[path]?.objectValue ?? JSONObject()
            item[route.method.lowercased()] = operation(route)
            paths[path] = .object(item)
        }
        return object([
            ("openapi", .string("3.1.0")),
            (
                "info",
                object([
                    ("title", .string("Vigil")),
                    ("version", .string("1")),
                    (
                        "description",
                        .string(
                            "Human-rights incident database: incidents, detention sites, sources, actors, allegations and official denials, with confidentiality enforced on the server."
                        )
                    ),
                ])
            ),
            ("security", .array([object([("bearer", .array([]))])])),
            ("paths", .object(paths)),
            (
                "components",
                object([
                    (
                        "securitySchemes",
                        object([("bearer", object([("type", .string("http")), ("scheme", .string("bearer"))]))])
                    ),
                    ("schemas", .object(schemas())),
                    ("responses", .object(problemResponses())),
                ])
            ),
        ])
    }

    // MARK: Operations

    private static func operation(_ route: VigilService.Route) -> JSONValue {
        var op = JSONObject()
        op["operationId"] = .string(route.operationID)
        op["summary"] = .string(route.summary)
        if route.pattern == "/healthz" { op["security"] = .array([]) }
        var parameters: [JSONValue] = []
        for name in route.pathParameters {
            parameters.append(
                object([
                    ("name", .string(name)), ("in", .string("path")), ("required", .bool(true)),
                    ("schema", object([("type", .string("string")), ("minLength", .int(1))])),
                ]))
        }
        for (name, schema, description) in queryParameters(route) {
            parameters.append(
                object([
                    ("name", .string(name)), ("in", .string("query")), ("required", .bool(requiredQuery(route, name))),
                    ("description", .string(description)), ("schema", schema),
                ]))
        }
        for (name, description) in headerParameters(route) {
            // An Idempotency-Key is 1 to 255 characters (a 400 otherwise).
            let limits: [(String, JSONValue)] =
                name == "Idempotency-Key" ? [("minLength", .int(1)), ("maxLength", .int(255))] : []
            parameters.append(
                object([
                    ("name", .string(name)), ("in", .string("header")), ("required", .bool(false)),
                    ("description", .string(description)), ("schema", object([("type", .string("string"))] + limits)),
                ]))
        }
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if let body = requestBody(route) { op["requestBody"] = body }
        op["responses"] = .object(responses(route))
        return .object(op)
    }

    /// Query parameters without which the endpoint answers 400.
    private static func requiredQuery(_ route: VigilService.Route, _ name: String) -> Bool {
        switch route.action {
        case .search: name == "q"
        case .facets: name == "fields"
        default: false
        }
    }

    /// A time as the filters read it (`Timestamp.normalize`): a date, or a UTC date-time with
    /// optional fraction. Days past the 28th are left out of the pattern, which cannot know
    /// each month's length; the code accepts them where they exist.
    static let timestampPattern =
        "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])([Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?[Zz])?$"

    /// An uncertain date's simplest forms (2017, 2017-04, 2017-04-01); the filters also take
    /// the EDTF forms of ``schema(for:nullable:)``'s description.
    static let datePattern = "^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8]))?)?$"

    /// Full-text words: 1 to 32 of them, at most 1000 bytes (250 characters of up to 4 bytes).
    /// Which characters make a word is the tokenizer's (unicode61), which a pattern cannot say.
    private static let searchText = object([
        ("type", .string("string")), ("minLength", .int(1)), ("maxLength", .int(250)),
    ])

    /// The schema of a filter's value (`field=value`) as the store parses it for `spec`.
    private static func filterValue(_ spec: FieldSpec) -> JSONValue {
        switch spec.type {
        // Filters compare, so any whole number or number is a valid bound (victims_min.gte=-1).
        case .count: return object([("type", .string("integer"))])
        case .coordinate: return object([("type", .string("number"))])
        case .bool: return object([("type", .string("boolean"))])
        case .code(let vocabulary), .codes(let vocabulary): return object([("enum", strings(vocabulary.codes))])
        case .country: return object([("type", .string("string")), ("pattern", .string("^[A-Z]{2}$"))])
        case .date: return object([("type", .string("string")), ("pattern", .string(datePattern))])
        case .level: return object([("enum", strings(["public", "restricted", "confidential"]))])
        case .text, .url, .strings, .reference, .references: return object([("type", .string("string"))])
        }
    }

    /// One sort key (`field` or `-field`); the code also takes several, comma-separated, each once.
    private static func sortKeys(_ kind: ResourceKind) -> JSONValue {
        var fields = ["id", "created_at", "updated_at"]
        for spec in kind.fields where !AccessPolicy(kind).refusesFilter(on: spec, at: .restricted) {
            switch spec.type {
            case .codes, .strings, .reference, .references, .url: continue
            // Long texts (over Catalog.shortText) do not sort.
            case .text(let maxLength) where maxLength > 1_000: continue
            default: fields.append(spec.name)
            }
        }
        return object([("enum", strings(fields + fields.map { "-" + $0 }))])
    }

    private static func queryParameters(_ route: VigilService.Route) -> [(String, JSONValue, String)] {
        let text = object([("type", .string("string"))])
        let time = object([("type", .string("string")), ("pattern", .string(timestampPattern))])
        switch route.action {
        case .list(let kind):
            var result: [(String, JSONValue, String)] = [
                ("sort", sortKeys(kind), "Comma-separated fields, '-' for descending; id breaks ties."),
                (
                    "limit", object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(1000))]),
                    "Page size (default 50)."
                ),
                (
                    "cursor", object([("type", .string("string")), ("minLength", .int(1))]),
                    "The next_cursor of the previous page (any other is a 400)."
                ),
                ("count", object([("type", .string("boolean"))]), "Add the total number of matches."),
                ("updated_since", time, "Only records updated at or after this RFC 3339 time (UTC)."),
                (
                    "q", searchText,
                    "Full-text search (words, all required); ranked by bm25 unless sort is given; adds snippet."
                ),
            ]
            let formats = ["json", "csv", "ndjson"] + (kind.hasPlace ? ["geojson"] : [])
            result.append(
                (
                    "format", object([("enum", strings(formats))]),
                    "Export every matching record (no limit or cursor), streamed: \(formats.dropFirst().joined(separator: ", ")). Also chosen by Accept."
                ))
            for name in ["id", "created_at", "updated_at"] {
                result.append(
                    (
                        name, name == "id" ? text : time,
                        "Equality filter. Also \(name).OP with OP in ne gt gte lt lte in nin."
                    ))
            }
            for spec in kind.fields {
                let clearance =
                    AccessPolicy(kind).refusesFilter(on: spec, at: .restricted)
                    ? " Confidential clearance only (a 400 below it)." : ""
                result.append(
                    (
                        spec.name, filterValue(spec),
                        "Equality filter (lists: contains). Also \(spec.name).OP with OP in ne gt gte lt lte in nin contains null.\(clearance)"
                    ))
            }
            return result
        case .get(let kind):
            let allowed = RelatedRecords.allowed[kind] ?? []
            guard !allowed.isEmpty else { return [] }
            return [
                (
                    "include", object([("enum", strings(allowed))]),
                    "Related records to embed, comma-separated: \(allowed.joined(separator: ", "))."
                )
            ]
        case .facets, .timeline:
            var result: [(String, JSONValue, String)] =
                route.action.isFacets
                ? [
                    (
                        "fields", object([("enum", strings(Store.facetFields))]),
                        "Comma-separated, 1 to 10 of: \(Store.facetFields.joined(separator: ", "))."
                    )
                ]
                : [
                    (
                        "interval", object([("enum", strings(TimelineInterval.allCases.map(\.rawValue)))]),
                        "month (default) or year."
                    )
                ]
            result.append(("q", searchText, "Full-text search."))
            result.append(("updated_since", time, "Only incidents updated at or after this RFC 3339 time (UTC)."))
            for spec in ResourceKind.incidents.fields
            where !AccessPolicy(.incidents).refusesFilter(on: spec, at: .restricted) {
                result.append((spec.name, filterValue(spec), "Filter, as on the list (also \(spec.name).OP)."))
            }
            return result
        case .importRecords:
            return [
                (
                    "mode", object([("enum", strings(["all", "partial"]))]),
                    "all (default): one bad row and nothing is created."
                ),
                ("dry_run", object([("type", .string("boolean"))]), "Validate only; write nothing."),
            ]
        case .search:
            return [
                ("q", searchText, "The words to search for (1 to 32, at most 1000 bytes)."),
                (
                    "limit", object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(100))]),
                    "Hits (default 20)."
                ),
            ]
        case .changes:
            return [
                (
                    "since", object([("type", .string("string")), ("pattern", .string("^[A-Za-z0-9_-]+$"))]),
                    "The opaque next_since (or an entry's position) of a previous answer, from a token of the same "
                        + "clearance; absent: from the beginning."
                ),
                (
                    "limit", object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(1000))]),
                    "Page size (default 100)."
                ),
            ]
        default: return []
        }
    }

    private static func headerParameters(_ route: VigilService.Route) -> [(String, String)] {
        switch route.action {
        case .create:
            return [
                (
                    "Idempotency-Key",
                    "A retried POST with the same key creates nothing and answers as a read of what the first created would now: the first status and Location with the records as they are now, or 404 if one is no longer visible to the token, 410 if one was deleted or purged since."
                )
            ]
        case .update, .delete: return [("If-Match", "The ETag the change is based on; a stale one is a 412.")]
        case .get: return [("If-None-Match", "An ETag; an unchanged record is a 304.")]
        default: return []
        }
    }

    private static func requestBody(_ route: VigilService.Route) -> JSONValue? {
        switch route.action {
        case .create(let kind):
            let input = ref("\(kind.rawValue)_input")
            return object([
                ("required", .bool(true)),
                (
                    "content",
                    object([
                        (
                            "application/json",
                            object([
                                (
                                    "schema",
                                    object([
                                        (
                                            "anyOf",
                                            .array([
                                                input,
                                                object([
                                                    ("type", .string("array")), ("items", input), ("minItems", .int(1)),
                                                ]),
                                            ])
                                        )
                                    ])
                                )
                            ])
                        )
                    ])
                ),
            ])
        case .update(let kind):
            let schema = object([("schema", ref("\(kind.rawValue)_patch"))])
            return object([
                ("required", .bool(true)),
                (
                    "content",
                    object([
                        ("application/merge-patch+json", schema), ("application/json", schema),
                    ])
                ),
            ])
        case .importRecords:
            // An empty file has no header row (CSV) or no record (NDJSON): a 400.
            let file = object([("schema", object([("type", .string("string")), ("minLength", .int(1))]))])
            return object([
                ("required", .bool(true)), ("content", object([("text/csv", file), ("application/x-ndjson", file)])),
            ])
        case .link:
            let link = ref("link_input")
            return object([
                ("required", .bool(true)),
                (
                    "content",
                    object([
                        (
                            "application/json",
                            object([
                                (
                                    "schema",
                                    object([
                                        (
                                            "anyOf",
                                            .array([
                                                link,
                                                object([
                                                    ("type", .string("array")), ("items", link), ("minItems", .int(1)),
                                                ]),
                                            ])
                                        )
                                    ])
                                )
                            ])
                        )
                    ])
                ),
            ])
        default:
            return nil
        }
    }

    private static func json(_ schema: JSONValue, _ description: String) -> JSONValue {
        object([
            ("description", .string(description)),
            ("content", object([("application/json", object([("schema", schema)]))])),
        ])
    }

    private static func responses(_ route: VigilService.Route) -> JSONObject {
        var result = JSONObject()
        let problems: [String]
        switch route.action {
        case .health:
            result["200"] = json(object([("type", .string("object"))]), "The service is up.")
            return result
        case .openAPI:
            result["200"] = json(object([("type", .string("object"))]), "This document.")
            problems = ["401"]
        case .metrics:
            result["200"] = object([
                ("description", .string("Prometheus text exposition format 0.0.4.")),
                (
                    "content",
                    object([
                        ("text/plain", object([("schema", object([("type", .string("string"))]))]))
                    ])
                ),
            ])
            problems = ["400", "401", "403"]  // 403: admins only
        case .vocabularies:
            result["200"] = json(ref("vocabularies"), "Every controlled vocabulary with labels and definitions.")
            problems = ["400", "401"]
        case .changes:
            result["200"] = json(ref("changes"), "Changes after `since`, in order.")
            problems = ["400", "401"]
        case .importRecords:
            let line = object([("type", .string("integer")), ("minimum", .int(1))])
            let answer = object([
                ("type", .string("object")), ("required", strings(["created", "refused"])),
                (
                    "properties",
                    object([
                        (
                            "created",
                            object([
                                ("type", .string("array")),
                                (
                                    "items",
                                    object([
                                        ("type", .string("object")),
                                        (
                                            "properties",
                                            object([
                                                ("line", line),
                                                ("id", object([("type", strings(["string", "null"]))])),
                                            ])
                                        ),
                                    ])
                                ),
                            ])
                        ),
                        (
                            "refused",
                            object([
                                ("type", .string("array")),
                                (
                                    "items",
                                    object([
                                        ("type", .string("object")),
                                        (
                                            "properties",
                                            object([
                                                ("line", line), ("errors", object([("type", .string("array"))])),
                                            ])
                                        ),
                                    ])
                                ),
                            ])
                        ),
                    ])
                ),
            ])
            result["200"] = json(answer, "Every row was good.")
            result["422"] = json(answer, "Some rows were refused (nothing created unless mode=partial).")
            problems = ["400", "401", "403", "413", "415"]
        case .facets:
            let counts = object([
                ("type", .string("array")),
                (
                    "items",
                    object([
                        ("type", .string("object")), ("required", strings(["value", "count"])),
                        (
                            "properties",
                            object([("value", object([])), ("count", object([("type", .string("integer"))]))])
                        ),
                    ])
                ),
            ])
            result["200"] = json(
                object([
                    ("type", .string("object")), ("required", strings(["facets", "total"])),
                    (
                        "properties",
                        object([
                            ("facets", object([("type", .string("object")), ("additionalProperties", counts)])),
                            ("total", object([("type", .string("integer"))])),
                        ])
                    ),
                ]), "Counts per value, most frequent first.")
            problems = ["400", "401", "503"]
        case .timeline:
            result["200"] = json(
                object([
                    ("type", .string("object")), ("required", strings(["interval", "data", "undated"])),
                    (
                        "properties",
                        object([
                            ("interval", object([("type", .string("string"))])),
                            (
                                "data",
                                object([
                                    ("type", .string("array")),
                                    (
                                        "items",
                                        object([
                                            ("type", .string("object")), ("required", strings(["bucket", "count"])),
                                            (
                                                "properties",
                                                object([
                                                    ("bucket", object([("type", .string("string"))])),
                                                    ("count", object([("type", .string("integer"))])),
                                                ])
                                            ),
                                        ])
                                    ),
                                ])
                            ),
                            ("undated", object([("type", .string("integer"))])),
                        ])
                    ),
                ]), "Counts per bucket, oldest first.")
            problems = ["400", "401", "503"]
        case .search:
            result["200"] = json(
                object([
                    ("type", .string("object")), ("required", strings(["data"])),
                    (
                        "properties",
                        object([
                            (
                                "data",
                                object([
                                    ("type", .string("array")),
                                    (
                                        "items",
                                        object([
                                            ("type", .string("object")),
                                            ("required", strings(["kind", "id", "label", "snippet"])),
                                            (
                                                "properties",
                                                object([
                                                    ("kind", object([("type", .string("string"))])),
                                                    ("id", object([("type", .string("string"))])),
                                                    ("label", object([("type", .string("string"))])),
                                                    ("snippet", object([("type", .string("string"))])),
                                                ])
                                            ),
                                        ])
                                    ),
                                ])
                            )
                        ])
                    ),
                ]), "Hits, best first.")
            problems = ["400", "401", "503"]
        case .list(let kind):
            var page = json(
                ref("\(kind.rawValue)_page"),
                "A page of records; with format= (or Accept) every matching record as a file.")
            if case .object(var described) = page, case .object(var content)? = described["content"] {
                let file = object([("schema", object([("type", .string("string"))]))])
                content["text/csv"] = file
                content["application/x-ndjson"] = file
                if kind.hasPlace {
                    // A JSON type (+json), so clients parse it: described as the collection it is.
                    content["application/geo+json"] = object([
                        (
                            "schema",
                            object([
                                ("type", .string("object")), ("required", strings(["type", "features"])),
                                (
                                    "properties",
                                    object([
                                        ("type", object([("const", .string("FeatureCollection"))])),
                                        (
                                            "features",
                                            object([
                                                ("type", .string("array")),
                                                ("items", object([("type", .string("object"))])),
                                            ])
                                        ),
                                    ])
                                ),
                            ])
                        )
                    ])
                }
                described["content"] = .object(content)
                page = .object(described)
            }
            result["200"] = page
            problems = ["400", "401", "503"]
        case .get(let kind):
            result["200"] = json(ref(kind.rawValue), "The record.")
            result["304"] = object([("description", .string("Not modified."))])
            problems = ["400", "401", "404", "410"]
        case .create(let kind):
            result["201"] = json(
                object([
                    (
                        "anyOf",
                        .array([
                            ref(kind.rawValue),
                            object([
                                ("type", .string("object")),
                                ("required", strings(["data"])),
                                (
                                    "properties",
                                    object([
                                        ("data", object([("type", .string("array")), ("items", ref(kind.rawValue))]))
                                    ])
                                ),
                            ]),
                        ])
                    )
                ]), "Created.")
            // 404 and 410: an Idempotency-Key replay of records now hidden from the token, deleted or purged.
            problems = ["400", "401", "403", "404", "409", "410", "413", "415", "422"]
        case .update(let kind):
            result["200"] = json(ref(kind.rawValue), "The updated record.")
            problems = ["400", "401", "403", "404", "410", "412", "413", "415", "422"]
        case .delete(let kind):
            result["200"] = json(ref(kind.rawValue), "The tombstone.")
            problems = ["400", "401", "403", "404", "410", "412"]
        case .restore(let kind):
            result["200"] = json(ref(kind.rawValue), "The restored record.")
            problems = ["400", "401", "403", "404", "409"]
        case .history:
            result["200"] = json(
                object([
                    ("type", .string("object")),
                    (
                        "properties",
                        object([
                            ("data", object([("type", .string("array")), ("items", ref("audit_entry"))]))
                        ])
                    ),
                ]), "The record's audit entries.")
            problems = ["400", "401", "404"]
        case .links:
            result["200"] = json(
                object([
                    ("type", .string("object")),
                    (
                        "properties",
                        object([
                            ("data", object([("type", .string("array")), ("items", ref("link"))]))
                        ])
                    ),
                ]), "The incident's site links.")
            problems = ["400", "401", "404", "410"]
        case .link:
            result["201"] = json(
                object([
                    (
                        "anyOf",
                        .array([
                            ref("link"),
                            object([
                                ("type", .string("object")), ("required", strings(["data"])),
                                (
                                    "properties",
                                    object([("data", object([("type", .string("array")), ("items", ref("link"))]))])
                                ),
                            ]),
                        ])
                    )
                ]), "Linked.")
            problems = ["400", "401", "403", "404", "409", "410", "413", "415", "422"]
        case .unlink:
            result["204"] = object([("description", .string("Unlinked."))])
            problems = ["400", "401", "403", "404", "410"]
        }
        // 405 and 500 can answer any route; so can 414, a request line over the limit
        // (HTTPLimits), which the HTTP layer answers before any route is chosen.
        for status in problems + ["405", "414", "500"] {
            result[status] = object([("$ref", .string("#/components/responses/problem_\(status)"))])
        }
        let links = OpenAPILinks.links(route)
        if !links.isEmpty, let success = ["201", "200"].first(where: { result[$0] != nil }),
            case .object(var described)? = result[success]
        {
            described["links"] = object(links)
            result[success] = .object(described)
        }
        return result
    }

    private static func problemResponses() -> JSONObject {
        var result = JSONObject()
        for status in [
            "400", "401", "403", "404", "405", "409", "410", "412", "413", "414", "415", "422", "500", "503",
        ] {
            result["problem_\(status)"] = object([
                ("description", .string("An RFC 9457 problem.")),
                ("content", object([("application/problem+json", object([("schema", ref("problem"))]))])),
            ])
        }
        return result
    }

    // MARK: Schemas

    /// `nonEmpty`: a required text, which the code refuses empty (422).
    private static func schema(for type: FieldType, nullable: Bool, nonEmpty: Bool = false) -> JSONValue {
        func typed(_ name: String, _ extra: [(String, JSONValue)] = []) -> JSONValue {
            object([("type", nullable ? strings([name, "null"]) : .string(name))] + extra)
        }
        switch type {
        case .text(let maxLength):
            return typed("string", (nonEmpty ? [("minLength", .int(1))] : []) + [("maxLength", .int(Int64(maxLength)))])
        case .url: return typed("string", [("format", .string("uri"))])
        case .count: return typed("integer", [("minimum", .int(0))])
        case .coordinate(let limit):
            return typed("number", [("minimum", .double(-limit)), ("maximum", .double(limit))])
        case .bool: return typed("boolean")
        case .code(let vocabulary):
            return object([("enum", .array(vocabulary.codes.map(JSONValue.string) + (nullable ? [.null] : [])))])
        case .codes(let vocabulary):
            return typed(
                "array", [("items", object([("enum", strings(vocabulary.codes))])), ("uniqueItems", .bool(true))])
        case .strings, .references: return typed("array", [("items", object([("type", .string("string"))]))])
        case .country: return typed("string", [("pattern", .string("^[A-Z]{2}$"))])
        case .date:
            return typed(
                "string",
                [
                    (
                        "description",
                        .string("EDTF: 2017, 2017-04, 2017-04-01, 2017~, 2017-04?, 2017-02/2017-03, 2017-02/..")
                    )
                ])
        case .reference(let kind): return typed("string", [("pattern", .string("^\(kind.idPrefix)"))])
        case .level:
            return object([
                (
                    "enum",
                    .array(["public", "restricted", "confidential"].map(JSONValue.string) + (nullable ? [.null] : []))
                )
            ])
        }
    }

    private static func schemas() -> JSONObject {
        var result = JSONObject()
        let nullableString = object([("type", strings(["string", "null"]))])
        for kind in ResourceKind.allCases {
            var properties = JSONObject()
            properties["id"] = object([("type", .string("string"))])
            for spec in kind.fields {
                properties[spec.name] = schema(for: spec.type, nullable: true)
                if case .date = spec.type {
                    properties[spec.name + "_earliest"] = nullableString
                    properties[spec.name + "_latest"] = nullableString
                }
            }
            for name in kind.computedFields {
                properties[name] = object([("type", .string("integer")), ("minimum", .int(0))])
            }
            properties["version"] = object([("type", .string("integer")), ("minimum", .int(1))])
            properties["created_at"] = object([("type", .string("string"))])
            properties["updated_at"] = object([("type", .string("string"))])
            properties["deleted_at"] = object([("type", .string("string"))])
            result[kind.rawValue] = object([
                ("type", .string("object")),
                ("required", strings(["id", "version", "created_at", "updated_at"])),
                ("properties", .object(properties)),
            ])
            var input = JSONObject()
            for spec in kind.fields {
                input[spec.name] = schema(for: spec.type, nullable: !spec.required, nonEmpty: spec.required)
            }
            if kind == .incidents {
                input["sites"] = object([("type", .string("array")), ("items", ref("link_input"))])
            }
            result["\(kind.rawValue)_input"] = object([
                ("type", .string("object")),
                ("required", strings(kind.fields.filter(\.required).map(\.name))),
                ("properties", .object(input)),
                ("additionalProperties", .bool(false)),
            ])
            var patch = JSONObject()
            // A required field can be changed but not removed (null) or emptied.
            for spec in kind.fields {
                patch[spec.name] = schema(for: spec.type, nullable: !spec.required, nonEmpty: spec.required)
            }
            result["\(kind.rawValue)_patch"] = object([
                ("type", .string("object")), ("properties", .object(patch)), ("additionalProperties", .bool(false)),
            ])
            result["\(kind.rawValue)_page"] = object([
                ("type", .string("object")),
                ("required", strings(["data", "next_cursor"])),
                (
                    "properties",
                    object([
                        ("data", object([("type", .string("array")), ("items", ref(kind.rawValue))])),
                        ("next_cursor", nullableString),
                        ("total", object([("type", .string("integer")), ("minimum", .int(0))])),
                    ])
                ),
            ])
        }
        result["link_input"] = object([
            ("type", .string("object")),
            ("required", strings(["site_id", "role"])),
            (
                "properties",
                object([
                    ("site_id", object([("type", .string("string"))])),
                    ("role", object([("enum", strings(Vocabularies.linkRole.codes))])),
                    ("period", nullableString),
                    ("note", nullableString),
                ])
            ),
            ("additionalProperties", .bool(false)),
        ])
        result["link"] = object([
            ("type", .string("object")),
            ("required", strings(["id", "incident_id", "site_id", "role"])),
            (
                "properties",
                object([
                    ("id", object([("type", .string("string"))])),
                    ("incident_id", object([("type", .string("string"))])),
                    ("site_id", object([("type", .string("string"))])), ("role", object([("type", .string("string"))])),
                    ("period", nullableString), ("period_earliest", nullableString), ("period_latest", nullableString),
                    ("note", nullableString), ("version", object([("type", .string("integer"))])),
                    ("created_at", object([("type", .string("string"))])),
                    ("updated_at", object([("type", .string("string"))])),
                ])
            ),
        ])
        result["audit_entry"] = object([
            ("type", .string("object")),
            ("required", strings(["position", "at", "action", "kind", "record_id", "before", "after"])),
            (
                "properties",
                object([
                    (
                        "position",
                        object([
                            ("type", .string("string")),
                            (
                                "description",
                                .string("Opaque: since= with it resumes the changes feed after this entry.")
                            ),
                        ])
                    ),
                    ("at", object([("type", .string("string"))])),
                    ("actor", object([("type", .string("string"))])), ("action", object([("type", .string("string"))])),
                    ("kind", object([("type", .string("string"))])),
                    ("record_id", object([("type", .string("string"))])),
                    ("before", object([("type", strings(["object", "null"]))])),
                    ("after", object([("type", strings(["object", "null"]))])),
                ])
            ),
            // No `seq`: it would count the hidden writes (FeedPosition).
            ("additionalProperties", .bool(false)),
        ])
        result["changes"] = object([
            ("type", .string("object")),
            ("required", strings(["data", "next_since", "has_more"])),
            (
                "properties",
                object([
                    ("data", object([("type", .string("array")), ("items", ref("audit_entry"))])),
                    (
                        "next_since",
                        object([
                            ("type", .string("string")),
                            (
                                "description",
                                .string("Opaque: since= with it gives the next page, or what was written since.")
                            ),
                        ])
                    ),
                    ("has_more", object([("type", .string("boolean"))])),
                ])
            ),
        ])
        var vocabularyProperties = JSONObject()
        let term = object([
            ("type", .string("object")), ("required", strings(["code", "label", "definition"])),
            (
                "properties",
                object([
                    ("code", object([("type", .string("string"))])), ("label", object([("type", .string("string"))])),
                    ("definition", object([("type", .string("string"))])),
                ])
            ),
        ])
        for vocabulary in Vocabularies.all {
            vocabularyProperties[vocabulary.name] = object([("type", .string("array")), ("items", term)])
        }
        result["vocabularies"] = object([("type", .string("object")), ("properties", .object(vocabularyProperties))])
        result["problem"] = object([
            ("type", .string("object")),
            ("required", strings(["type", "title", "status", "detail"])),
            (
                "properties",
                object([
                    ("type", object([("type", .string("string"))])), ("title", object([("type", .string("string"))])),
                    ("status", object([("type", .string("integer"))])),
                    ("detail", object([("type", .string("string"))])),
                    (
                        "errors",
                        object([
                            ("type", .string("array")),
                            (
                                "items",
                                object([
                                    ("type", .string("object")), ("required", strings(["field", "message"])),
                                    (
                                        "properties",
                                        object([
                                            ("field", object([("type", .string("string"))])),
                                            ("message", object([("type", .string("string"))])),
                                            ("index", object([("type", .string("integer"))])),
                                        ])
                                    ),
                                ])
                            ),
                        ])
                    ),
                ])
            ),
        ])
        return result
    }
}
