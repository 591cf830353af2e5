import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 在线课程 (seed 003): lessons for one qualification and class type.
final class Course: Model, @unchecked Sendable {
    static let schema = "courses"
    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "qualification_code") var qualificationCode: String
    @Enum(key: "class_type") var classType: TrainingClassType
    /// 学时 this course provides towards the requirement.
    @Field(key: "required_hours") var requiredHours: Int
    @Parent(key: "owner_id") var owner: Organization
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}
}

/// One lesson: a video or audio file (served with range requests) or a document.
final class Lesson: Model, @unchecked Sendable {
    static let schema = "lessons"
    @ID(key: .id) var id: UUID?
    @Parent(key: "course_id") var course: Course
    @Field(key: "position") var position: Int
    @Field(key: "title") var title: String
    /// video / audio / document (`CheckedLessonFile.Kind`)
    @Field(key: "kind") var kind: String
    @Field(key: "media_type") var mediaType: String
    @Field(key: "file_name") var fileName: String
    /// Media: its length in whole seconds, rounded up, for lists. Document: the reading time the
    /// institution set, the most study the lesson credits.
    @Field(key: "duration_seconds") var durationSeconds: Int
    @Field(key: "size") var size: Int
    /// The media's real length as ffprobe read it at upload; nil for documents and for lessons
    /// uploaded before it was read (their typed length stands in).
    @OptionalField(key: "media_seconds") var mediaSeconds: Double?
    /// The container ffprobe found ("mp4", "webm", "ogg", "mp3"), or "pdf".
    @OptionalField(key: "container") var container: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    init() {}

    var isDocument: Bool { kind == CheckedLessonFile.Kind.document.rawValue }
    var isAudio: Bool { kind == CheckedLessonFile.Kind.audio.rawValue }

    var kindLabel: String { isDocument ? "文档" : isAudio ? "音频" : "视频" }

    /// What the judge credits against: the media's real length, or a document's reading time.
    var studyMaterial: StudyMaterial {
        isDocument ? .document(readingTime: TimeInterval(durationSeconds))
            : .media(duration: mediaSeconds ?? TimeInterval(durationSeconds))
    }
}

/// The bytes of a lesson, apart from its row so lists never load them.
final class LessonMedia: Model, @unchecked Sendable {
    static let schema = "lesson_media"
    @ID(key: .id) var id: UUID?
    @Parent(key: "lesson_id") var lesson: Lesson
    @Field(key: "data") var data: Data
    init() {}
}

/// One open lesson page: the Core session state, with the columns queries need beside it.
final class StudySessionRecord: Model, @unchecked Sendable {
    static let schema = "study_sessions"
    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Parent(key: "lesson_id") var lesson: Lesson
    @Field(key: "course_id") var courseID: UUID
    @Field(key: "open") var open: Bool
    @Field(key: "expected_sequence") var expectedSequence: Int
    @Field(key: "credited_seconds") var creditedSeconds: Double
    @Field(key: "state") var stateJSON: String
    @Field(key: "snapshot_pending") var snapshotPending: Bool
    @Field(key: "started_at") var startedAt: Date
    init() {}

    var state: StudySessionState? {
        try? JSONDecoder().decode(StudySessionState.self, from: Data(stateJSON.utf8))
    }

    func apply(_ s: StudySessionState) throws {
        stateJSON = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        open = !s.isClosed
        expectedSequence = s.expectedSequence
        creditedSeconds = s.creditedSeconds
    }
}

/// Every heartbeat, accepted or not: the anomaly report reads these. A verified beat claims its
/// (session, sequence) pair by a unique index, so two requests with one token can't both count.
final class StudyBeat: Model, @unchecked Sendable {
    static let schema = "study_beats"
    @ID(key: .id) var id: UUID?
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "person_id") var personID: UUID
    @OptionalField(key: "sequence") var sequence: Int?
    @Field(key: "received_at") var receivedAt: Date
    @OptionalField(key: "rejection") var rejection: String?
    @Field(key: "credited") var credited: Double
    @Field(key: "device_id") var deviceID: String
    @Field(key: "ip") var ip: String
    @Field(key: "snapshot_taken") var snapshotTaken: Bool
    /// The media position the page reported; nil for documents.
    @OptionalField(key: "position") var position: Double?
    init() {}

    var recorded: RecordedBeat {
        RecordedBeat(sessionID: sessionID, receivedAt: receivedAt, rejection: rejection.flatMap(HeartbeatRejection.init(rawValue:)),
                     deviceID: deviceID, ip: ip, snapshotTaken: snapshotTaken, position: position)
    }
}

/// A webcam snapshot (抓拍) taken by the lesson page, kept with the study record.
final class StudySnapshot: Model, @unchecked Sendable {
    static let schema = "study_snapshots"
    @ID(key: .id) var id: UUID?
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "person_id") var personID: UUID
    @Field(key: "taken_at") var takenAt: Date
    @Field(key: "jpeg") var jpeg: Data
    init() {}
}

/// Credited seconds per person and course, kept current by every credited beat, so the
/// authority's "reached the hours" list is one indexed query.
final class CourseProgress: Model, @unchecked Sendable {
    static let schema = "course_progress"
    @ID(key: .id) var id: UUID?
    @Parent(key: "person_id") var person: Person
    @Parent(key: "course_id") var course: Course
    @Field(key: "seconds") var seconds: Double
    @Field(key: "reached") var reached: Bool
    @Field(key: "region_code") var regionCode: String
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

/// Secrets the instances share (the heartbeat signing key), made once by the migration.
final class AppSecret: Model, @unchecked Sendable {
    static let schema = "app_secrets"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "value") var value: String
    init() {}
}

extension AppSecret {
    /// The shared random key the migration made; features derive their own keys from it with a
    /// label, so one secret in the database serves them all and no key serves two purposes.
    static func key(for purpose: String, on db: any Database) async throws -> Data {
        guard let secret = try await AppSecret.query(on: db).filter(\.$name == "heartbeat-key").first(),
              let key = Data(base64Encoded: secret.value) else { throw Abort(.internalServerError, reason: "签名密钥缺失") }
        if purpose == "heartbeat" { return key }
        return Data(HMAC<SHA256>.authenticationCode(for: Array(purpose.utf8), using: SymmetricKey(data: key)))
    }
}
