/// The way a person comes into a class: on their own (我要报名), through the employing enterprise
/// or the training institution, or as a school student (院校报名, no confirmation needed).
public enum EnrolmentChannel: String, Sendable, CaseIterable {
    case individual, enterprise, institution, school

    public var kind: EnrolmentKind { self == .school ? .school : .standard }

    /// The channel an enrolment form goes through: 院校报名 when `school` is asked for, otherwise
    /// the unit's own channel (or 院校报名 when that is all it has); nil when the user isn't
    /// offered that channel.
    public static func chosen(from offered: [EnrolmentChannel], school: Bool) -> EnrolmentChannel? {
        let channel: EnrolmentChannel = school ? .school : offered.first { $0 != .school } ?? .school
        return offered.contains(channel) ? channel : nil
    }
}
