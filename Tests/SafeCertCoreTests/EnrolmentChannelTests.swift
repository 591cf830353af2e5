import Testing
@testable import SafeCertCore

@Suite("报名渠道")
struct EnrolmentChannelTests {
    @Test func aUnitEnrolsThroughItsOwnChannel() {
        #expect(EnrolmentChannel.chosen(from: [.enterprise], school: false) == .enterprise)
        #expect(EnrolmentChannel.chosen(from: [.institution, .school], school: false) == .institution)
    }

    @Test func schoolEnrolmentWhenAskedForAndOffered() {
        #expect(EnrolmentChannel.chosen(from: [.institution, .school], school: true) == .school)
        // The association has only 院校报名: it goes that way whether asked or not.
        #expect(EnrolmentChannel.chosen(from: [.school], school: false) == .school)
        #expect(EnrolmentChannel.chosen(from: [.school], school: true) == .school)
    }

    @Test func aChannelNotOfferedIsRefused() {
        #expect(EnrolmentChannel.chosen(from: [.enterprise], school: true) == nil)
        #expect(EnrolmentChannel.chosen(from: [], school: false) == nil)
    }

    @Test func onlySchoolEnrolmentIsOfTheSchoolKind() {
        #expect(EnrolmentChannel.school.kind == .school)
        for channel in [EnrolmentChannel.individual, .enterprise, .institution] { #expect(channel.kind == .standard) }
    }
}
