import Testing
@testable import VigilStore
@Test func placeholder() { #expect(1 == 1) }
