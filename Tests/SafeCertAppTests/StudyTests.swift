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

/// Real media made with ffmpeg (Debian package ffmpeg, as `scripts/install-deps.sh test` installs),
/// so uploads go through the real ffprobe.
enum LessonVideo {
    /// A 160×120 test picture, VP8 in WebM: the video is 62 seconds long.
    static func webm(seconds: Int = 62) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-lesson-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("lesson.webm")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=\(seconds):size=160x120:rate=10",
                             "-c:v", "libvpx", "-b:v", "50k", output.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "ffmpeg made the test video")
        return try Data(contentsOf: output)
    }
}

@Suite("在线学习") struct StudyTests {
    static let device = "device-abc-123"

    /// An institution's course (1 学时) with one lesson from `file`; 李娜 enrolled for its qualification.
    func setUp(_ t: TestApp, file: (String, Data)? = nil, minutes: String = "10") async throws -> (WebClient, Lesson) {
        let institution = try await t.loggedIn("institution")
        try await institution.post("/courses", ["title": "低压电工安全技术", "qualification": "TZ-DG", "class_type": "initial", "hours": "1"])
        let course = try #require(try await Course.query(on: t.db).first())
        let (name, data) = try file ?? ("lesson1.webm", LessonVideo.webm())
        let added = try await institution.upload("/courses/\(course.id!)", fields: ["title": "第一课 触电急救", "minutes": minutes],
                                                 files: [("file", name, data)])
        #expect(added.status == .seeOther)
        let lesson = try #require(try await Lesson.query(on: t.db).first())
        let enterprise = try await t.loggedIn("enterprise")
        let li = try await t.person(named: "李娜")
        let c = try await t.trainingClass(code: t.initialClassCode)
        #expect(try await enterprise.post("/classes/\(c.id!)/enrol", ["id_number": li.idNumber, "name": "李娜", "medical_check": "1"]).status == .seeOther)
        let learner = try await t.loggedIn(li.idNumber)
        return (learner, lesson)
    }

    /// Opens a session; returns its first token.
    func start(_ client: WebClient, _ lesson: Lesson, position: Double? = 0, paused: Bool = false) async throws -> String {
        var body: [String: Any] = ["deviceID": Self.device, "paused": paused]
        if let position { body["position"] = position }
        let started = try await client.postJSON("/study/lessons/\(lesson.id!)/start", body)
        #expect(started.status == .ok)
        return try #require(client.json()["token"] as? String)
    }

    @discardableResult
    func beat(_ client: WebClient, token: String, visible: Bool = true, rate: Double = 1, position: Double? = nil,
              paused: Bool? = nil, ended: Bool? = nil) async throws -> TestingHTTPResponse {
        var body: [String: Any] = ["token": token, "visible": visible, "playbackRate": rate, "secondsSinceInteraction": 3, "deviceID": Self.device]
        if let position { body["position"] = position }
        if let paused { body["paused"] = paused }
        if let ended { body["ended"] = ended }
        return try await client.postJSON("/study/heartbeat", body)
    }

    /// Beats every 30 s, each with the token the last one earned; returns what each was credited and why not.
    func beats(_ client: WebClient, _ t: TestApp, from token: String, _ reports: [(position: Double, paused: Bool?, ended: Bool?)])
        async throws -> (credits: [Double], reasons: [String?], token: String?) {
        var token: String? = token
        var credits: [Double] = [], reasons: [String?] = []
        for report in reports {
            guard let current = token else { break }
            t.clock.advance(by: 30)
            try await beat(client, token: current, position: report.position, paused: report.paused, ended: report.ended)
            credits.append(client.json()["credited"] as? Double ?? -1)
            reasons.append(client.json()["reason"] as? String)
            token = client.json()["token"] as? String
        }
        return (credits, reasons, token)
    }

    func studied(_ t: TestApp) async throws -> Double {
        let li = try await t.person(named: "李娜")
        return try await StudySessionRecord.query(on: t.db).filter(\.$person.$id == li.id!).all(\.$creditedSeconds).reduce(0, +)
    }

    @Test("hours grow only by verified beats: forged, replayed, hidden and fast beats add nothing")
    func heartbeats() async throws {
        try await withSafeCert { t in
            let (learner, lesson) = try await setUp(t)
            let page = try await learner.get("/study")
            #expect(page.body.string.contains("低压电工安全技术"))
            #expect(try await learner.get("/study/lessons/\(lesson.id!)").status == .ok)
            let first = try await start(learner, lesson)

            t.clock.advance(by: 30)
            #expect(try await beat(learner, token: first, position: 30).status == .ok)
            #expect(learner.json()["credited"] as? Double == 30)
            #expect(learner.json()["studiedLabel"] as? String == "0 分钟")
            let second = try #require(learner.json()["token"] as? String)

            // The same token again: a replay, nothing credited.
            t.clock.advance(by: 30)
            let replay = try await beat(learner, token: first, position: 60)
            #expect(replay.status == .unprocessableEntity)
            #expect(learner.json()["credited"] as? Double == 0)
            // A forged token (one character changed): nothing.
            var forged = Array(second)
            forged[5] = forged[5] == "A" ? "B" : "A"
            #expect(try await beat(learner, token: String(forged), position: 60).status == .unprocessableEntity)
            // The real next token, but the page was hidden: verified, not credited, a new token issued.
            #expect(try await beat(learner, token: second, visible: false, position: 60).status == .ok)
            #expect(learner.json()["credited"] as? Double == 0)
            let third = try #require(learner.json()["token"] as? String)
            // Played at 2×: not credited.
            t.clock.advance(by: 30)
            try await beat(learner, token: third, rate: 2, position: 62)
            #expect(learner.json()["credited"] as? Double == 0)
            #expect(learner.json()["reason"] as? String == "tooFast")

            let li = try await t.person(named: "李娜")
            #expect(try await studied(t) == 30)
            let progress = try #require(try await CourseProgress.query(on: t.db).filter(\.$person.$id == li.id!).first())
            #expect(progress.seconds == 30)
            #expect(progress.reached == false)
            #expect(try await StudyBeat.query(on: t.db).filter(\.$rejection != nil).count() >= 3)
            #expect(try await StudyBeat.query(on: t.db).filter(\.$position == 30).count() == 1, "the reported position is kept")

            // The authority sees the hours and the rejected beats.
            t.nextMinute()
            let changchun = try await t.loggedIn("changchun")
            let records = try await changchun.get("/study/records")
            #expect(records.body.string.contains("李娜"))
            #expect(records.body.string.contains("<td>0.0 学时（0 分钟）</td><td>1 学时（45 分钟）</td>"))
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

    @Test("an uploaded video keeps the length ffprobe reads, not the minutes typed")
    func uploadReadsTheRealLength() async throws {
        try await withSafeCert { t in
            let (_, lesson) = try await setUp(t, minutes: "45")
            let seconds = try #require(lesson.mediaSeconds)
            #expect(abs(seconds - 62) < 0.1)
            #expect(lesson.container == "webm" && lesson.mediaType == "video/webm" && lesson.kind == "video")
            #expect(lesson.durationSeconds == 62 || lesson.durationSeconds == 63)
            #expect(lesson.studyMaterial == .media(duration: seconds))
            t.nextMinute()
            let institution = try await t.loggedIn("institution")
            let page = try await institution.get("/courses/\(lesson.$course.id)")
            #expect(page.body.string.contains("视频（WEBM）"))
            #expect(page.body.string.contains("1 分 02 秒"))
            #expect(try await t.auditCount("lesson.create") == 1)
        }
    }

    @Test("a text file renamed .mp4 is refused with the field named, and nothing is written")
    func fakeVideoIsRefused() async throws {
        try await withSafeCert { t in
            let institution = try await t.loggedIn("institution")
            try await institution.post("/courses", ["title": "低压电工安全技术", "qualification": "TZ-DG", "class_type": "initial", "hours": "1"])
            let course = try #require(try await Course.query(on: t.db).first())
            let text = Data("这是一个文本文件，不是视频。\n".utf8)
            let refused = try await institution.upload("/courses/\(course.id!)", fields: ["title": "第一课", "minutes": "10"],
                                                       files: [("file", "lesson1.mp4", text)])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("课件文件「lesson1.mp4」不是有效的视频或音频"))
            #expect(try await Lesson.query(on: t.db).count() == 0)
            #expect(try await LessonMedia.query(on: t.db).count() == 0)
            #expect(try await t.auditCount("lesson.create") == 0)

            let named = try await institution.upload("/courses/\(course.id!)", fields: ["title": "第一课"],
                                                     files: [("file", "notes.txt", text)])
            #expect(named.status == .unprocessableEntity)
            #expect(named.body.string.contains("课件文件「notes.txt」不是支持的视频"))
            let fakePDF = try await institution.upload("/courses/\(course.id!)", fields: ["title": "讲义", "minutes": "10"],
                                                       files: [("file", "讲义.pdf", text)])
            #expect(fakePDF.status == .unprocessableEntity)
            #expect(fakePDF.body.string.contains("不是有效的 PDF 文档"))
            #expect(try await Lesson.query(on: t.db).count() == 0)
        }
    }

    @Test("without ffprobe an upload is answered, not a 500, and nothing is written")
    func missingProbe() async throws {
        try await withSafeCert(settings: { $0.ffprobePath = "/nonexistent/ffprobe" }) { t in
            let institution = try await t.loggedIn("institution")
            try await institution.post("/courses", ["title": "低压电工安全技术", "qualification": "TZ-DG", "class_type": "initial", "hours": "1"])
            let course = try #require(try await Course.query(on: t.db).first())
            let response = try await institution.upload("/courses/\(course.id!)", fields: ["title": "第一课"],
                                                        files: [("file", "lesson1.webm", try LessonVideo.webm(seconds: 2))])
            #expect(response.status == .serviceUnavailable)
            #expect(response.body.string.contains("服务器暂时无法检查课件文件"))
            #expect(try await Lesson.query(on: t.db).count() == 0)
        }
    }

    @Test("a lesson played through earns its length and no more, also when watched again")
    func playedThrough() async throws {
        try await withSafeCert { t in
            let (learner, lesson) = try await setUp(t)
            let length = try #require(lesson.mediaSeconds)
            let token = try await start(learner, lesson)
            let run = try await beats(learner, t, from: token, [(30, false, false), (60, false, false), (length, true, true),
                                                                 (length, true, true)])
            #expect(run.credits[0] == 30 && run.credits[1] == 30)
            #expect(abs(run.credits[2] - (length - 60)) < 0.001, "the last stretch as far as the end")
            #expect(run.credits[3] == 0 && run.reasons[3] == "afterEnd", "nothing after the end")
            #expect(abs(try await studied(t) - length) < 0.001)

            // Watching it again opens a new session; it earns nothing more.
            let again = try await start(learner, lesson)
            let replayed = try await beats(learner, t, from: again, [(30, false, false), (60, false, false)])
            #expect(replayed.credits == [0, 0] && replayed.reasons == ["lessonComplete", "lessonComplete"])
            #expect(abs(try await studied(t) - length) < 0.001)

            let page = try await learner.get("/study")
            #expect(page.body.string.contains("<td data-testid=\"lesson-studied\">1 分钟</td>"))
            #expect(page.body.string.contains("1 分 02 秒"))
            let lessonPage = try await learner.get("/study/lessons/\(lesson.id!)")
            #expect(lessonPage.body.string.contains(">1 分钟</strong>"))
            #expect(lessonPage.body.string.contains("data-resume=\"60.0\""), "where the last session left the player")
        }
    }

    @Test("paused, never-started and ended videos earn nothing; the report shows beats that kept coming")
    func stoppedVideosEarnNothing() async throws {
        try await withSafeCert { t in
            let (learner, lesson) = try await setUp(t)
            // Paused at 10 s, the page beating on.
            let paused = try await start(learner, lesson, position: 10, paused: true)
            let pausedRun = try await beats(learner, t, from: paused, [(10, true, false), (10, true, false), (10, nil, nil)])
            #expect(pausedRun.credits == [0, 0, 0])
            #expect(pausedRun.reasons == ["notPlaying", "notPlaying", "notAdvancing"], "leaving the flags out excuses nothing")
            // Never started: a beat without the player's flags still stands at 0.
            let never = try await start(learner, lesson, position: 0, paused: true)
            let neverRun = try await beats(learner, t, from: never, [(0, nil, nil)])
            #expect(neverRun.credits == [0] && neverRun.reasons == ["notAdvancing"])
            // After the end (62 → 71 s in the issue): nothing, and a position past the end is impossible.
            let ended = try await start(learner, lesson, position: 62, paused: true)
            let endedRun = try await beats(learner, t, from: ended, [(62, true, true), (71, nil, nil)])
            #expect(endedRun.credits == [0, 0] && endedRun.reasons == ["afterEnd", "pastEnd"])
            #expect(try await studied(t) == 0)

            t.nextMinute()
            let li = try await t.person(named: "李娜")
            let changchun = try await t.loggedIn("changchun")
            let report = try await changchun.get("/study/anomalies?person=\(li.id!)")
            #expect(report.body.string.contains("视频进度停滞"))
            #expect(report.body.string.contains("连续 3 次心跳视频进度停在 10 秒处"))
            #expect(report.body.string.contains("视频进度跳跃"))
            #expect(!report.body.string.contains("心跳间隔过于规律"), "a regular timer is no anomaly")
        }
    }

    @Test("what a request carries cannot trap: odd positions and missing fields are answered")
    func oddReports() async throws {
        try await withSafeCert { t in
            let (learner, lesson) = try await setUp(t)
            let token = try await start(learner, lesson, position: -5)
            t.clock.advance(by: 30)
            #expect(try await beat(learner, token: token, position: 1e308).status == .ok)
            #expect(learner.json()["reason"] as? String == "pastEnd")
            let next = try #require(learner.json()["token"] as? String)
            t.clock.advance(by: 30)
            #expect(try await beat(learner, token: next).status == .ok, "a video's beat without a position")
            #expect(learner.json()["reason"] as? String == "invalidReport")
            let bad = try await learner.postJSON("/study/heartbeat", ["token": next, "visible": true, "playbackRate": 1,
                                                                       "position": "一半", "secondsSinceInteraction": 3,
                                                                       "deviceID": Self.device])
            #expect(bad.status == .badRequest)
            #expect(try await studied(t) == 0)
        }
    }

    @Test("a PDF needs its reading time, and earns no more than it")
    func documentLesson() async throws {
        try await withSafeCert { t in
            let pdf = Data("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".utf8)
            let institution = try await t.loggedIn("institution")
            try await institution.post("/courses", ["title": "低压电工安全技术", "qualification": "TZ-DG", "class_type": "initial", "hours": "1"])
            let course = try #require(try await Course.query(on: t.db).first())
            let missing = try await institution.upload("/courses/\(course.id!)", fields: ["title": "讲义"], files: [("file", "讲义.pdf", pdf)])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("请填写文档的阅读时长"))
            try await Course.query(on: t.db).delete()

            let (learner, lesson) = try await setUp(t, file: ("讲义.pdf", pdf), minutes: "1")
            #expect(lesson.kind == "document" && lesson.durationSeconds == 60 && lesson.mediaSeconds == nil)
            let token = try await start(learner, lesson, position: nil)
            var current = token
            var credits: [Double] = []
            for _ in 0..<3 {
                t.clock.advance(by: 30)
                try await beat(learner, token: current)
                credits.append(learner.json()["credited"] as? Double ?? -1)
                current = try #require(learner.json()["token"] as? String)
            }
            #expect(credits == [30, 30, 0])
            #expect(learner.json()["reason"] as? String == "lessonComplete")
        }
    }

    @Test("a second page supersedes the first; media is served with ranges; a non-learner can't start")
    func sessionsAndMedia() async throws {
        try await withSafeCert { t in
            let (learner, lesson) = try await setUp(t)
            let old = try await start(learner, lesson)
            try await learner.postJSON("/study/lessons/\(lesson.id!)/start", ["deviceID": "device-xyz-789"])
            t.clock.advance(by: 30)
            let stale = try await beat(learner, token: old, position: 30)
            #expect(stale.status == .unprocessableEntity)
            #expect((learner.json()["rejection"] as? String) == HeartbeatRejection.superseded.label)

            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .range, value: "bytes=0-3")
            let part = try await learner.get("/lessons/\(lesson.id!)/media", headers: headers)
            #expect(part.status == .partialContent)
            #expect(Array(part.body.readableBytesView) == [0x1A, 0x45, 0xDF, 0xA3], "a WebM file starts with its EBML header")
            #expect(part.headers.first(name: .contentRange) == "bytes 0-3/\(lesson.size)")
            #expect(part.headers.first(name: .contentType) == "video/webm")

            // 王强 has no enrolment or certificate for this course's qualification… he holds TZ-DG, so use 张伟.
            let zhang = try await t.person(named: "张伟")
            let other = try await t.loggedIn(zhang.idNumber)
            #expect(try await other.postJSON("/study/lessons/\(lesson.id!)/start", ["deviceID": "device-abc-123"]).status == .notFound)
        }
    }

    @Test("the new columns' migrations revert and apply again")
    func migrationsRevert() async throws {
        try await withSafeCert(seed: false) { t in
            // On one connection: the four schema changes follow each other, not the pool's order.
            try await t.db.transaction { db in
                try await AddStudyBeatPosition().revert(on: db)
                try await AddLessonMediaFacts().revert(on: db)
                try await AddLessonMediaFacts().prepare(on: db)
                try await AddStudyBeatPosition().prepare(on: db)
            }
            #expect(try await Lesson.query(on: t.db).filter(\.$mediaSeconds != nil).count() == 0)
            #expect(try await StudyBeat.query(on: t.db).filter(\.$position != nil).count() == 0)
        }
    }
}
