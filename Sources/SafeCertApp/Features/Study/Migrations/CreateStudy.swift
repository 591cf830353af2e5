import Fluent
import Foundation
import SafeCertCore
import Vapor

struct CreateStudy: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Course.schema).id()
            .field("title", .string, .required).field("qualification_code", .string, .required)
            .field("class_type", .string, .required).field("required_hours", .int, .required)
            .field("owner_id", .uuid, .required, .references(Organization.schema, "id")).field("created_at", .datetime)
            .create()
        try await database.schema(Lesson.schema).id()
            .field("course_id", .uuid, .required, .references(Course.schema, "id")).field("position", .int, .required)
            .field("title", .string, .required).field("kind", .string, .required).field("media_type", .string, .required)
            .field("file_name", .string, .required).field("duration_seconds", .int, .required).field("size", .int, .required)
            .field("created_at", .datetime)
            .create()
        try await createIndex(on: database, name: "lessons_course", table: Lesson.schema, columns: ["course_id", "position"])
        try await database.schema(LessonMedia.schema).id()
            .field("lesson_id", .uuid, .required, .references(Lesson.schema, "id")).field("data", .data, .required)
            .unique(on: "lesson_id").create()
        try await database.schema(StudySessionRecord.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("lesson_id", .uuid, .required, .references(Lesson.schema, "id")).field("course_id", .uuid, .required)
            .field("open", .bool, .required).field("expected_sequence", .int, .required)
            .field("credited_seconds", .double, .required).field("state", .string, .required)
            .field("snapshot_pending", .bool, .required).field("started_at", .datetime, .required)
            .create()
        try await createIndex(on: database, name: "study_sessions_person", table: StudySessionRecord.schema, columns: ["person_id", "open"])
        try await database.schema(StudyBeat.schema).id()
            .field("session_id", .uuid, .required).field("person_id", .uuid, .required).field("sequence", .int)
            .field("received_at", .datetime, .required).field("rejection", .string).field("credited", .double, .required)
            .field("device_id", .string, .required).field("ip", .string, .required).field("snapshot_taken", .bool, .required)
            .unique(on: "session_id", "sequence", name: "study_beats_session_sequence")
            .create()
        try await createIndex(on: database, name: "study_beats_person", table: StudyBeat.schema, columns: ["person_id", "received_at"])
        try await database.schema(StudySnapshot.schema).id()
            .field("session_id", .uuid, .required).field("person_id", .uuid, .required)
            .field("taken_at", .datetime, .required).field("jpeg", .data, .required)
            .create()
        try await createIndex(on: database, name: "study_snapshots_person", table: StudySnapshot.schema, columns: ["person_id", "taken_at"])
        try await database.schema(CourseProgress.schema).id()
            .field("person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("course_id", .uuid, .required, .references(Course.schema, "id"))
            .field("seconds", .double, .required).field("reached", .bool, .required).field("region_code", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "person_id", "course_id", name: "course_progress_person_course")
            .create()
        try await createIndex(on: database, name: "course_progress_region", table: CourseProgress.schema, columns: ["region_code", "reached"])
        try await database.schema(AppSecret.schema).id()
            .field("name", .string, .required).field("value", .string, .required).unique(on: "name").create()
        let key = AppSecret()
        key.name = "heartbeat-key"
        var generator = SystemRandomNumberGenerator()
        key.value = HeartbeatSigner.generateKey(using: &generator).base64EncodedString()
        try await key.create(on: database)
    }

    func revert(on database: any Database) async throws {
        for schema in [AppSecret.schema, CourseProgress.schema, StudySnapshot.schema, StudyBeat.schema, StudySessionRecord.schema,
                       LessonMedia.schema, Lesson.schema, Course.schema] {
            try await database.schema(schema).delete()
        }
    }
}
