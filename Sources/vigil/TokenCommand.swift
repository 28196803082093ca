import ArgumentParser
import VigilStore

/// `vigil token create|list|revoke`.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret, alone, on standard output.",
            discussion: "The secret is shown once and stored only as a hash: TOKEN=$(vigil token create ...) keeps it.")

        @OptionGroup var database: DatabaseOption
        @Option(help: "A unique name, recorded in the audit log as the author of changes.") var name: String
        @Option(help: "reader, editor or admin.") var role: String
        @Option(help: "public, restricted or confidential: the most secret records the token may see.") var clearance:
            String
        @Option(help: "An RFC 3339 date or time after which the token stops working.") var expires: String?

        func run() throws {
            guard let role = Role(rawValue: role) else {
                throw CommandError("--role must be reader, editor or admin")
            }
            guard let level = Confidentiality(name: clearance) else {
                throw CommandError("--clearance must be public, restricted or confidential")
            }
            let store = try database.openStore()
            defer { store.close() }
            do {
                let (secret, token) = try store.createToken(
                    name: name, role: role, clearance: level, expiresAt: expires, as: .commandLine)
                printError(
                    "created token \"\(token.name)\" (\(token.role.rawValue), \(token.clearance.name)); it is shown only once"
                )
                print(secret)
            } catch {
                throw CommandError("cannot create token: \(error)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOption

        func run() throws {
            let store = try database.openStore(mustExist: true)
            defer { store.close() }
            let tokens = try store.tokens(as: .commandLine)
            let rows =
                [["NAME", "ROLE", "CLEARANCE", "CREATED", "LAST USED", "EXPIRES", "REVOKED"]]
                + tokens.map { token in
                    [
                        token.name, token.role.rawValue, token.clearance.name, token.createdAt,
                        token.lastUsedAt ?? "never",
                        token.expiresAt ?? "-", token.revokedAt ?? "-",
                    ]
                }
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = row.enumerated().map { column, cell in
                    cell + String(repeating: " ", count: widths[column] - cell.count)
                }
                print(cells.joined(separator: "  ").trimmingSuffix())
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name; it is refused from then on.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The token's name.") var name: String

        func run() throws {
            let store = try database.openStore(mustExist: true)
            defer { store.close() }
            do {
                let token = try store.revokeToken(name: name, as: .commandLine)
                print("revoked token \"\(token.name)\"")
            } catch {
                throw CommandError("cannot revoke token \"\(name)\": \(error)")
            }
        }
    }
}

extension String {
    func trimmingSuffix() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
