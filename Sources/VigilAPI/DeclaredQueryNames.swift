import VigilHTTP
import VigilJSON
import VigilStore

extension VigilService {
    /// The query parameter names the access log may show: those the OpenAPI document declares
    /// (made from the route table, so a route's parameters are declared once), and the `.OP`
    /// forms of every filter (`occurred.gte`), which it describes rather than lists. Anything
    /// else in a query (a bare word such as a token pasted by mistake, an unknown name, every
    /// value) is never logged: see ``LoggedQueryNames``.
    static let loggedQueryNames: LoggedQueryNames = {
        var names: Set<String> = []
        let paths = OpenAPIDocument.document.objectValue?["paths"]?.objectValue ?? JSONObject()
        for (_, item) in paths {
            for (_, operation) in item.objectValue ?? JSONObject() {
                for case .object(let parameter) in operation.objectValue?["parameters"]?.arrayValue ?? []
                where parameter["in"] == .string("query") {
                    if let name = parameter["name"]?.stringValue { names.insert(name) }
                }
            }
        }
        for kind in ResourceKind.allCases {
            for field in ["id", "created_at", "updated_at"] + kind.fields.map(\.name) {
                for op in FilterOperator.allCases { names.insert("\(field).\(op.rawValue)") }
            }
        }
        return LoggedQueryNames(names)
    }()
}
