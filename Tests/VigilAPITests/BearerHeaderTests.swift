import Testing

@testable import VigilAPI

/// `Authorization: Bearer <secret>`: the scheme in any case, blanks around the secret dropped,
/// anything else refused before the store is asked.
@Suite struct BearerHeaderTests {
    @Test(arguments: [
        ("Bearer vgl_abc", "vgl_abc"),
        ("bearer vgl_abc", "vgl_abc"),
        ("BEARER vgl_abc", "vgl_abc"),
        ("BeArEr   vgl_abc \t", "vgl_abc"),
        ("Bearer ", ""),
    ])
    func acceptsTheBearerScheme(header: String, secret: String) {
        #expect(Authenticator.bearerSecret(header) == secret)
    }

    @Test(arguments: [
        "Basic dXNlcjpwYXNz", "Bearer", "Bearervgl_abc", "Bearerx vgl_abc", "Beare vgl_abc", "Bear\u{0}r vgl_abc", "",
    ])
    func refusesAnythingElse(header: String) {
        #expect(Authenticator.bearerSecret(header) == nil)
    }
}
