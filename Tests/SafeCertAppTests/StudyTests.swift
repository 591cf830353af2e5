import Fluent
import Foundation
import NIOCore
import SafeCertCore
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

extension WebClient {
    /// A JSON POST as the lesson page sends it (CSRF token in the header).
    @discardableResult
    func postJSON(_ path: String, _ object: [String: Any]) async throws -> TestingHTTPResponse {
        if csrf == nil { try await refreshCSRF() }
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf ?? "")
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await send(.POST, path, headers: headers, body: ByteBuffer(data: data))
    }

    func json() -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(lastBody.utf8))) as? [String: Any] ?? [:]
    }
}

@Suite("在线学习") struct StudyTests {
    /// An institution's course with one video lesson; 李娜 enrolled for its qualification.
    func setUp(_ t: TestApp) async throws -> (WebClient, Lesson) {
        let institution = try await t.loggedIn("institution")
        try await institution.post("/courses", ["title": "低压电工安全技术", "qualification": "TZ-DG", "class_type": "initial", "hours": "1"])
        let course = try #require(try await Course.query(on: t.db).first())
        let video = Data("fake-mp4-bytes-0123456789".utf8)
        let added = try await institution.upload("/courses/\(course.id!)", fields: ["title": "第一课 触电急救", "minutes": "10"],
                                                 files: [("file", "lesson1.mp4", video)])
        #expect(added.status == .seeOther)
        let lesson = try #require(try await Lesson.query(on: t.db).first())
        let enterprise = try await t.loggedIn("enterprise")
        let li = try await t.person(named: "李娜")
        let c = try await t.trainingClass(code: t.initialClassCode)
        #expect(try await enterprise.post("/classes/\(c.id!)/enrol", ["id_number": li.idNumber, "name": "李娜", "medical_check": "1"]).status == .seeOther)
        let learner = try await t.loggedIn(li.idNumber)
        return (learner, lesson)
    }

    func beat(_ client: WebClient, token: String, visible: Bool = true, rate: Double = 1, position: Double? = nil) async throws -> TestingHTTPResponse {
        var body: [String: Any] = ["token": token, "visible": visible, "playbackRate": rate, "secondsSinceInteraction": 3, "deviceID": "device-abc-123"]
        if let position { body["position"] = position }
        return try await client.postJSON("/study/heartbeat", body)
    }

    @Test("hours grow only by verified beats: forged, replayed, hidden and fast beats add nothing")
    func heartbeats() async throws {
        try await withSafeCert { t in
            let (learner, lesson) = try await setUp(t)
            let page = try await learner.get("/study")
            #expect(page.body.string.contains("低压电工安全技术"))
            #expect(try await learner.get("/study/lessons/\(lesson.id!)").status == .ok)
            let started = try await learner.postJSON("/study/lessons/\(lesson.id!)/start", ["deviceID": "device-abc-123", "position": 0])
            #expect(started.status == .ok)
            let first = try #require(learner.json()["token"] as? String)

            t.clock.advance(by: 30)
            #expect(try await beat(learner, token: first, position: 29).status == .ok)
            #expect(learner.json()["credited"] as? Double == 30)
            let second = try #require(learner.json()["token"] as? String)

            // The same token again: a replay, nothing credited.
            t.clock.advance(by: 30)
            let replay = try await beat(learner, token: first, position: 58)
            #expect(replay.status == .unprocessableEntity)
            #expect(learner.json()["credited"] as? Double == 0)
            // A forged token (one character changed): nothing.
            var forged = Array(second)
            forged[5] = forged[5] == "A" ? "B" : "A"
            #expect(try await beat(learner, token: String(forged), position: 58).status == .unprocessableEntity)
            // The real next token, but the page was hidden: verified, not credited, a new token issued.
            #expect(try await beat(learner, token: second, visible: false, position: 58).status == .ok)
            #expect(learner.json()["credited"] as? Double == 0)
            let third = try #require(learner.json()["token"] as? String)
            // Played at 2×: not credited.
            t.clock.advance(by: 30)
            try await beat(learner, token: third, rate: 2, position: 118)
            #expect(learner.json()["credited"] as? Double == 0)

            let li = try await t.person(named: "李娜")
            let seconds = try await StudySessionRecord.query(on: t.db).filter(\.$person.$id == li.id!).all(\.$creditedSeconds).reduce(0, +)
            #expect(seconds == 30)
            let progress = try #require(try await CourseProgress.query(on: t.db).filter(\.$person.$id == li.id!).first())
            #expect(progress.seconds == 30)
            #expect(progress.reached == false)
            #expect(try await StudyBeat.query(on: t.db).filter(\.$rejection != nil).count() >= 3)

            // The authority sees the hours and the rejected beats.
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            let records = try await changchun.get("/study/records")
            #expect(records.body.string.contains("李娜"))
            let report = try await changchun.get("/study/anomalies?person=\(li.id!)")
            #expect(report.status == .ok)
            #expect(report.body.string.contains("心跳"))
            // Another city's authority can't read this person's report.
            t.nextMinute()
            let jilin = try await t.loggedIn("jilincity")
            let hidden = try await jilin.get("/study/anomalies?person=\(li.id!)")
            #expect(!hidden.body.string.contains("李娜"))
        }
    }

    @Test("a second page supersedes the first; media is served with ranges; a non-learner can't start")
    func sessionsAndMedia() async throws {
        try await withSafeCert { t in
            let (learner, lesson) = try await setUp(t)
            try await learner.postJSON("/study/lessons/\(lesson.id!)/start", ["deviceID": "device-abc-123"])
            let old = try #require(learner.json()["token"] as? String)
            try await learner.postJSON("/study/lessons/\(lesson.id!)/start", ["deviceID": "device-xyz-789"])
            t.clock.advance(by: 30)
            let stale = try await beat(learner, token: old)
            #expect(stale.status == .unprocessableEntity)
            #expect((learner.json()["rejection"] as? String) == HeartbeatRejection.superseded.label)

            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .range, value: "bytes=5-7")
            let part = try await learner.get("/lessons/\(lesson.id!)/media", headers: headers)
            #expect(part.status == .partialContent)
            #expect(part.body.string == "mp4")
            #expect(part.headers.first(name: .contentRange) == "bytes 5-7/25")

            // 王强 has no enrolment or certificate for this course's qualification… he holds TZ-DG, so use 张伟.
            let zhang = try await t.person(named: "张伟")
            let other = try await t.loggedIn(zhang.idNumber)
            #expect(try await other.postJSON("/study/lessons/\(lesson.id!)/start", ["deviceID": "device-abc-123"]).status == .notFound)
        }
    }
}
