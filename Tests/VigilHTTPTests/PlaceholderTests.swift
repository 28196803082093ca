import Testing
@testable import VigilHTTP
@Test func httpPlaceholder() { #expect(1 == 1) }
