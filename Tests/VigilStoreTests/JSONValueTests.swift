import Testing
@testable import VigilStore
