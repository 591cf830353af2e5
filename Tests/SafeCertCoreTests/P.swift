import Testing
@testable import SafeCertCore
