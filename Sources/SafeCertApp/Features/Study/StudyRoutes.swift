import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// 在线学习 (seed 003): courses and lessons, the learner's page whose signed heartbeats are the
/// only thing that adds hours, webcam snapshots, and the authority's views of who reached the
/// hours and what looks wrong. Every decision is `SafeCertCore`'s (StudyJudge, StudySessions,
/// StudyProgress, StudyAnomalyDetector); this file keeps the rows.
enum StudyRoutes {
    static func register(_ routes: any RoutesBuilder) {
        routes.page(.courses, .manageCourses, use: courses)
        routes.action(.courses, .manageCourses, use: createCourse)
        routes.page(.course(.key), .manageCourses, use: course)
        routes.upload(.course(.key), .manageCourses, maxBody: "60mb", use: addLesson)
        routes.page(.lessonMedia(.key), .viewHome, use: media)
        routes.page(.study, .studyOnline, use: myCourses)
        routes.page(.studyLesson(.key), .studyOnline, use: lessonPage)
        routes.action(.studyStart(.key), .studyOnline, use: start)
        routes.action(.studyHeartbeat, .studyOnline, use: heartbeat)
        routes.action(.studySnapshot, .studyOnline, maxBody: "3mb", use: snapshot)
        routes.page(.studySnapshotImage(.key), .viewStudyRecords, use: snapshotImage)
        routes.page(.studyRecords, .viewStudyRecords, use: records)
        routes.page(.studyAnomalies, .viewStudyRecords, use: anomalies)
    }

    // MARK: Courses (institution / association)

    struct CourseRow: Encodable, Sendable {
        let title: String
        let qualification: String
        let type: String
        let hours: Int
        let href: String
    }

    struct CoursesModel: Encodable, Sendable {
        let rows: [CourseRow]
        let pagination: Pagination
        let qualificationOptions: [OrganizationForm.Option]
        let typeOptions: [OrganizationForm.Option]
        let error: String?
    }

    static func courses(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderCourses(req, user, error: nil, status: .ok)
    }

    static func renderCourses(_ req: Request, _ user: CurrentUser, error: String?, status: HTTPStatus) async throws -> Response {
        let page = try await Course.query(on: req.db).filter(\.$owner.$id == user.organizationID ?? UUID())
            .sort(\.$createdAt, .descending).page(for: req)
        let catalogue = try await CatalogueStore.load(on: req.db)
        return try await req.render("study/courses", title: "在线课程", CoursesModel(
            rows: page.items.map { c in
                CourseRow(title: c.title, qualification: catalogue.type(code: c.qualificationCode)?.name ?? c.qualificationCode,
                          type: c.classType.label, hours: c.requiredHours, href: SiteURL.course(.id(c.id)).link)
            },
            pagination: Pagination(metadata: page.metadata, path: SiteURL.courses.link, filters: []),
            qualificationOptions: catalogue.types.map { .init(value: $0.code, label: $0.name) },
            typeOptions: TrainingClassType.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            error: error), status: status)
    }

    static func createCourse(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let catalogue = try await CatalogueStore.load(on: req.db)
        guard let title = req.field("title"), title.count <= 60 else {
            return try await renderCourses(req, user, error: "请填写课程名称（不超过 60 字）", status: .unprocessableEntity)
        }
        guard let code = req.field("qualification"), catalogue.type(code: code) != nil else {
            return try await renderCourses(req, user, error: "请选择资格类型", status: .unprocessableEntity)
        }
        guard let type = req.field("class_type").flatMap(TrainingClassType.init(rawValue:)) else {
            return try await renderCourses(req, user, error: "请选择培训类型", status: .unprocessableEntity)
        }
        guard let hours = req.field("hours").flatMap(Int.init), (1...200).contains(hours) else {
            return try await renderCourses(req, user, error: "学时须为 1–200 的整数", status: .unprocessableEntity)
        }
        guard let owner = user.organizationID else { throw Abort(.forbidden) }
        let c = Course()
        c.title = title
        c.qualificationCode = code
        c.classType = type
        c.requiredHours = hours
        c.$owner.id = owner
        try await req.db.transaction { db in
            try await c.create(on: db)
            try await req.audit(user, "course.create", on: db, target: "course", c.id?.uuidString,
                                summary: "\(title)（\(code)，\(type.label)，\(hours) 学时）")
        }
        return req.redirect(.course(.id(c.id)))
    }

    struct LessonRow: Encodable, Sendable {
        let position: Int
        let title: String
        let kind: String
        let duration: String
        let size: String
        let href: String
    }

    struct CourseModel: Encodable, Sendable {
        let title: String
        let facts: [PersonRoutes.ComparedField]
        let lessons: [LessonRow]
        let action: String
        let error: String?
    }

    static func ownCourse(_ req: Request, _ user: CurrentUser) async throws -> Course {
        guard let c = try await Course.query(on: req.db).filter(\.$id == req.idParameter())
            .filter(\.$owner.$id == user.organizationID ?? UUID()).first() else { throw Abort(.notFound) }
        return c
    }

    static func course(_ req: Request, _ user: CurrentUser) async throws -> Response {
        try await renderCourse(req, user, try await ownCourse(req, user), error: nil, status: .ok)
    }

    static func renderCourse(_ req: Request, _ user: CurrentUser, _ c: Course, error: String?, status: HTTPStatus) async throws -> Response {
        let lessons = try await Lesson.query(on: req.db).filter(\.$course.$id == c.requireID()).sort(\.$position).limit(500).all()
        let catalogue = try await CatalogueStore.load(on: req.db)
        return try await req.render("study/course", title: c.title, CourseModel(
            title: c.title,
            facts: [("资格类型", catalogue.type(code: c.qualificationCode)?.name ?? c.qualificationCode), ("培训类型", c.classType.label),
                    ("要求学时", "\(c.requiredHours) 学时（每学时 \(StudyProgress.defaultMinutesPerHour) 分钟）")]
                .map { .init(label: $0.0, old: $0.1, new: $0.1, changed: false) },
            lessons: lessons.map { l in
                LessonRow(position: l.position, title: l.title, kind: l.kindLabel + (l.container.map { "（\($0.uppercased())）" } ?? ""),
                          duration: l.isDocument ? "阅读 \(StudyTime.label(seconds: l.studyMaterial.duration))"
                              : StudyTime.mediaLength(seconds: l.studyMaterial.duration),
                          size: "\(l.size / 1024) KB", href: SiteURL.lessonMedia(.id(l.id)).link)
            },
            action: SiteURL.course(.id(c.id)).link, error: error), status: status)
    }

    /// 新增课时. A media file is read by ffprobe: what is not real audio or video a browser plays is
    /// refused, and the lesson keeps the real length, the most study it can credit. A PDF's reading
    /// time is typed by the institution.
    static func addLesson(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await ownCourse(req, user)
        func refuse(_ message: String, _ status: HTTPStatus = .unprocessableEntity) async throws -> Response {
            try await renderCourse(req, user, c, error: message, status: status)
        }
        guard let title = req.field("title"), title.count <= 60 else { return try await refuse("请填写课时名称（不超过 60 字）") }
        guard let file = req.uploadedFile("file"), file.data.readableBytes > 0 else {
            return try await refuse("请选择课件文件：视频（.mp4/.webm/.ogv）、音频（.mp3/.m4a）或 PDF 文档")
        }
        let data = Data(file.data.readableBytesView)
        let checked: CheckedLesson
        switch try await checkLessonFile(file, data, req) {
        case .failure(let refusal): return try await refuse(refusal.message, refusal.status)
        case .success(let ok): checked = ok
        }
        let lesson = try Lesson(checked.file, of: c, title: title, fileName: file.filename, readingSeconds: checked.readingSeconds, size: data.count)
        lesson.position = try await Lesson.query(on: req.db).filter(\.$course.$id == c.requireID()).count() + 1
        let described = lesson.isDocument ? "阅读 \(StudyTime.label(seconds: TimeInterval(checked.readingSeconds)))"
            : "\(checked.file.container.uppercased())，\(StudyTime.mediaLength(seconds: checked.file.duration ?? 0))"
        try await req.db.transaction { db in
            try await lesson.create(on: db)
            let media = LessonMedia()
            media.$lesson.id = try lesson.requireID()
            media.data = data
            try await media.create(on: db)
            try await req.audit(user, "lesson.create", on: db, target: "lesson", lesson.id?.uuidString,
                                summary: "\(c.title)：第 \(lesson.position) 课「\(title)」（\(lesson.kindLabel)，\(described)）")
        }
        return req.redirect(.course(.id(c.id)))
    }

    /// An uploaded lesson file that passed its checks, with the typed reading time of a document.
    struct CheckedLesson: Sendable {
        let file: CheckedLessonFile
        var readingSeconds = 0
    }

    struct LessonRefusal: Error {
        let message: String
        var status: HTTPStatus = .unprocessableEntity
    }

    /// A document needs its reading time (0–600 minutes); a media file is read by ffprobe on the
    /// document pool.
    private static func checkLessonFile(_ file: File, _ data: Data, _ req: Request) async throws -> Result<CheckedLesson, LessonRefusal> {
        do {
            switch try LessonFileRule.intent(fileName: file.filename) {
            case .document:
                guard let minutes = req.field("minutes").flatMap(Double.init), minutes > 0, minutes <= 600 else {
                    return .failure(LessonRefusal(message: "请填写文档的阅读时长（分钟，0–600）"))
                }
                return .success(CheckedLesson(file: try LessonFileRule.document(fileName: file.filename, data: data),
                                              readingSeconds: Int(minutes * 60)))
            case .media:
                let ffprobe = FFprobe(executable: req.application.settings.ffprobePath)
                let ext = file.extension ?? ""
                let probed: Result<MediaProbeReport?, FFprobe.Failure> = try await req.application.documentPool.run {
                    do throws(FFprobe.Failure) { return .success(try ffprobe.probe(data, fileExtension: ext)) } catch { return .failure(error) }
                }
                switch probed {
                case .success(let report):
                    return .success(CheckedLesson(file: try LessonFileRule.media(fileName: file.filename, probe: report)))
                case .failure(.timedOut):
                    return .failure(LessonRefusal(message: "课件文件「\(file.filename)」在 \(Int(ffprobe.timeout)) 秒内未能读取，请确认是完整的视频或音频文件"))
                case .failure(let failure):
                    req.logger.error("lesson upload: ffprobe failed: \(failure)")
                    return .failure(LessonRefusal(message: "服务器暂时无法检查课件文件（需要 ffprobe），请联系管理员", status: .serviceUnavailable))
                }
            }
        } catch let error as LessonFileError {
            return .failure(LessonRefusal(message: error.message))
        }
    }

    /// The lesson's bytes, with `Range` support so a video seeks without downloading it all.
    /// Learners and the course's owner may fetch it.
    static func media(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let lesson = try await Lesson.query(on: req.db).filter(\.$id == req.idParameter()).with(\.$course).first() else {
            throw Abort(.notFound)
        }
        if user.may(.studyOnline) {
            _ = try await learnerLesson(req, user)
        } else if !(user.may(.manageCourses) && lesson.course.$owner.id == user.organizationID) {
            throw Abort(.notFound)
        }
        guard let media = try await LessonMedia.query(on: req.db).filter(\.$lesson.$id == lesson.requireID()).first() else { throw Abort(.notFound) }
        let data = media.data
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: lesson.mediaType)
        headers.replaceOrAdd(name: .acceptRanges, value: "bytes")
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        // The lesson page shows a document in a frame of its own origin; nothing else may frame it.
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'self'; object-src 'self'")
        headers.replaceOrAdd(name: "X-Frame-Options", value: "SAMEORIGIN")
        if let range = req.headers.first(name: .range), let (start, end) = parseRange(range, size: data.count) {
            headers.replaceOrAdd(name: .contentRange, value: "bytes \(start)-\(end)/\(data.count)")
            return Response(status: .partialContent, headers: headers, body: .init(data: data.subdata(in: start..<(end + 1))))
        } else if req.headers.first(name: .range) != nil {
            headers.replaceOrAdd(name: .contentRange, value: "bytes */\(data.count)")
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    /// "bytes=a-b", "bytes=a-", "bytes=-n" → inclusive offsets; nil when unsatisfiable.
    static func parseRange(_ header: String, size: Int) -> (Int, Int)? {
        guard size > 0, header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty {
            guard let n = Int(spec[1]), n > 0 else { return nil }
            return (max(0, size - n), size - 1)
        }
        guard let start = Int(spec[0]), start < size else { return nil }
        let end = spec[1].isEmpty ? size - 1 : min(Int(spec[1]) ?? -1, size - 1)
        return end >= start ? (start, end) : nil
    }

    // MARK: The learner

    struct MyLesson: Encodable, Sendable {
        let title: String
        let kind: String
        let duration: String
        let studied: String
        let href: String
    }

    struct MyCourse: Encodable, Sendable {
        let title: String
        let qualification: String
        let type: String
        let earned: String
        let earnedTime: String
        let required: String
        let requiredTime: String
        let remaining: String
        let remainingTime: String
        let percent: Int
        let percentStep: Int
        let reached: Bool
        let lessons: [MyLesson]
    }

    static func learner(_ req: Request, _ user: CurrentUser) async throws -> Person {
        guard let id = user.personID, let person = try await Person.find(id, on: req.db) else { throw Abort(.forbidden) }
        return person
    }

    /// Courses for the qualifications the person is enrolled in or holds.
    static func coursesFor(_ person: Person, on db: any Database) async throws -> [Course] {
        let enrolled = try await Enrolment.query(on: db).filter(\.$person.$id == person.requireID())
            .filter(\.$state ~~ Array(EnrolmentState.inProgress)).all(\.$qualificationCode)
        let held = try await HeldCertificate.query(on: db).filter(\.$person.$id == person.requireID()).filter(\.$status == "valid").all(\.$qualificationCode)
        let codes = Array(Set(enrolled + held))
        guard !codes.isEmpty else { return [] }
        return try await Course.query(on: db).filter(\.$qualificationCode ~~ codes).sort(\.$title).limit(50).all()
    }

    static func myCourses(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await learner(req, user)
        let courses = try await coursesFor(person, on: req.db)
        let catalogue = try await CatalogueStore.load(on: req.db)
        var model: [MyCourse] = []
        for c in courses {
            let lessons = try await Lesson.query(on: req.db).filter(\.$course.$id == c.requireID()).sort(\.$position).limit(200).all()
            let sessions = try await StudySessionRecord.query(on: req.db).filter(\.$person.$id == person.requireID())
                .filter(\.$courseID == c.requireID()).field(\.$lesson.$id).field(\.$creditedSeconds).all()
            var byLesson: [UUID: TimeInterval] = [:]
            for s in sessions { byLesson[s.$lesson.id, default: 0] += s.creditedSeconds }
            let progress = StudyProgress(creditedSecondsByLesson: byLesson, requiredHours: c.requiredHours)
            model.append(MyCourse(
                title: c.title, qualification: catalogue.type(code: c.qualificationCode)?.name ?? c.qualificationCode,
                type: c.classType.label, earned: StudyProgress.label(tenths: progress.earnedTenths),
                earnedTime: StudyTime.label(seconds: progress.creditedSeconds),
                required: "\(c.requiredHours) 学时", requiredTime: StudyTime.label(seconds: progress.requiredSeconds),
                remaining: StudyProgress.label(tenths: progress.remainingTenths),
                remainingTime: StudyTime.label(seconds: max(0, progress.requiredSeconds - progress.creditedSeconds), rounding: .up),
                percent: progress.percent, percentStep: min(100, progress.percent / 10 * 10), reached: progress.isReached,
                lessons: try lessons.map { l in
                    MyLesson(title: l.title, kind: l.kindLabel,
                             duration: l.isDocument ? "阅读 \(StudyTime.label(seconds: l.studyMaterial.duration))"
                                 : StudyTime.mediaLength(seconds: l.studyMaterial.duration),
                             studied: StudyTime.label(seconds: byLesson[try l.requireID()] ?? 0), href: SiteURL.studyLesson(.id(l.id)).link)
                }))
        }
        return try await req.render("study/my", title: "在线学习", ["courses": model])
    }

    struct LessonModel: Encodable, Sendable {
        let id: String
        let title: String
        let courseTitle: String
        let isVideo: Bool
        let isAudio: Bool
        let isMedia: Bool
        let mediaHref: String
        let mediaType: String
        let startHref: String
        let heartbeatHref: String
        let snapshotHref: String
        /// Credited seconds so far (for the page's script) and the same to the minute (shown).
        let studied: String
        let studiedLabel: String
        let duration: String
        let interval: Double
        /// Media: where the learner's last session left the player, and how far any session got
        /// (the player may seek within what was already watched, not beyond).
        let resume: Double
        let reached: Double
    }

    static func learnerLesson(_ req: Request, _ user: CurrentUser) async throws -> (Person, Lesson, Course) {
        let person = try await learner(req, user)
        guard let lesson = try await Lesson.query(on: req.db).filter(\.$id == req.idParameter()).with(\.$course).first() else {
            throw Abort(.notFound)
        }
        let allowed = try await coursesFor(person, on: req.db).contains { $0.id == lesson.$course.id }
        guard allowed else { throw Abort(.notFound) }
        return (person, lesson, lesson.course)
    }

    static func lessonPage(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (person, lesson, course) = try await learnerLesson(req, user)
        let sessions = try await StudySessionRecord.query(on: req.db).filter(\.$person.$id == person.requireID())
            .filter(\.$lesson.$id == lesson.requireID()).sort(\.$startedAt, .descending).all()
        let seconds = sessions.map(\.creditedSeconds).reduce(0, +)
        let material = lesson.studyMaterial
        let positions = sessions.compactMap { $0.state?.lastPosition }.map { min(max(0, $0), material.duration) }
        // Back to the start once the end was reached, as a player does.
        let last = positions.first ?? 0
        let resume = last >= material.duration - 1 ? 0 : last
        return try await req.render("study/lesson", title: lesson.title, LessonModel(
            id: lesson.requireID().uuidString, title: lesson.title, courseTitle: course.title,
            isVideo: !lesson.isDocument && !lesson.isAudio, isAudio: lesson.isAudio, isMedia: !lesson.isDocument,
            mediaHref: SiteURL.lessonMedia(.id(lesson.id)).link, mediaType: lesson.mediaType,
            startHref: SiteURL.studyStart(.id(lesson.id)).link, heartbeatHref: SiteURL.studyHeartbeat.link,
            snapshotHref: SiteURL.studySnapshot.link, studied: String(format: "%.3f", seconds),
            studiedLabel: StudyTime.label(seconds: seconds),
            duration: lesson.isDocument ? StudyTime.label(seconds: material.duration) : StudyTime.mediaLength(seconds: material.duration),
            interval: req.application.settings.studyPolicy.interval,
            resume: (resume * 1000).rounded() / 1000, reached: ((positions.max() ?? 0) * 1000).rounded() / 1000))
    }

    static func signer(_ req: Request) async throws -> HeartbeatSigner {
        if let cached = req.application.storage[SignerKey.self] { return cached }
        let signer = HeartbeatSigner(key: try await AppSecret.key(for: "heartbeat", on: req.db))
        req.application.storage[SignerKey.self] = signer
        return signer
    }

    struct SignerKey: StorageKey { typealias Value = HeartbeatSigner }

    struct StartBody: Content {
        let deviceID: String
        let position: Double?
        /// Whether the player is paused (or ended, or waiting) as the session opens; absent counts as paused.
        let paused: Bool?
    }

    struct BeatAnswer: Content {
        let token: String?
        let credited: Double
        /// The person's credit for the lesson so far; nil when the beat was not this session's to judge.
        let studiedSeconds: Double?
        /// `studiedSeconds` to the minute, as every page says study time.
        let studiedLabel: String?
        let rejection: String?
        /// The rejection's name (`HeartbeatRejection`), for the page's script.
        let reason: String?
        let stop: Bool
        let snapshotIn: Double?

        static func refused(_ rejection: HeartbeatRejection) -> BeatAnswer {
            BeatAnswer(token: nil, credited: 0, studiedSeconds: nil, studiedLabel: nil,
                       rejection: rejection.label, reason: rejection.rawValue, stop: true, snapshotIn: nil)
        }
    }

    static func validDevice(_ id: String) -> Bool {
        (8...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// Opens a study session for the lesson and closes the person's other open ones.
    static func start(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let (person, lesson, course) = try await learnerLesson(req, user)
        let body = try req.content.decode(StartBody.self)
        guard validDevice(body.deviceID) else { throw Abort(.badRequest, reason: "设备标识无效") }
        let policy = req.application.settings.studyPolicy
        let now = req.now
        let open = try await StudySessionRecord.query(on: req.db).filter(\.$person.$id == person.requireID()).filter(\.$open == true).all()
        let begun = StudySessions.start(sessionID: UUID(), personID: try person.requireID(), lessonID: try lesson.requireID(), deviceID: body.deviceID,
                                        startPosition: lesson.isDocument ? nil : body.position ?? 0, startMoving: body.paused == false,
                                        at: now, openSessions: open.compactMap(\.state), policy: policy)
        let record = StudySessionRecord()
        record.id = begun.session.sessionID
        record.$person.id = try person.requireID()
        record.$lesson.id = try lesson.requireID()
        record.courseID = try course.requireID()
        record.snapshotPending = false
        record.startedAt = now
        try record.apply(begun.session)
        try await req.db.transaction { db in
            for closed in begun.closed {
                if let row = open.first(where: { $0.id == closed.sessionID }) {
                    try row.apply(closed)
                    try await row.save(on: db)
                }
            }
            try await record.create(on: db)
        }
        var generator = SystemRandomNumberGenerator()
        let signer = try await signer(req)
        let studied = try await StudySessionRecord.query(on: req.db).filter(\.$person.$id == person.requireID())
            .filter(\.$lesson.$id == lesson.requireID()).all(\.$creditedSeconds).reduce(0, +)
        return try await BeatAnswer(token: signer.sign(begun.firstClaims), credited: 0, studiedSeconds: studied,
                                    studiedLabel: StudyTime.label(seconds: studied), rejection: nil, reason: nil, stop: false,
                                    snapshotIn: SnapshotSchedule.nextDelay(using: &generator, policy: policy)).encodeResponse(for: req)
    }

    struct BeatBody: Content {
        let token: String
        let visible: Bool
        let playbackRate: Double
        /// The player's `currentTime`, `paused`, `ended` and whether it is waiting for data; absent
        /// flags count as playing, so leaving them out excuses nothing.
        let position: Double?
        let paused: Bool?
        let ended: Bool?
        let waiting: Bool?
        let secondsSinceInteraction: Double
        let deviceID: String
    }

    /// One heartbeat: verified, judged, recorded; hours grow only by what the judge credits.
    static func heartbeat(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await learner(req, user)
        let body = try req.content.decode(BeatBody.self)
        guard validDevice(body.deviceID) else { throw Abort(.badRequest, reason: "设备标识无效") }
        let now = req.now
        let claims = try await signer(req).verify(body.token)
        guard let record = try await beatSession(claims, of: person, on: req.db), let state = record.state,
              let lesson = try await Lesson.find(record.$lesson.id, on: req.db) else {
            return try await BeatAnswer.refused(.invalidToken).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let creditedBefore = try await StudySessionRecord.query(on: req.db).filter(\.$person.$id == person.requireID())
            .filter(\.$lesson.$id == record.$lesson.id).all(\.$creditedSeconds).reduce(0, +)
        let report = HeartbeatReport(visible: body.visible, playbackRate: body.playbackRate, position: body.position,
                                     paused: body.paused ?? false, ended: body.ended ?? false, waiting: body.waiting ?? false,
                                     secondsSinceInteraction: body.secondsSinceInteraction, deviceID: body.deviceID)
        let verdict = StudyJudge.judge(session: state, claims: claims, report: report, material: lesson.studyMaterial,
                                       lessonCredited: creditedBefore, receivedAt: now, policy: req.application.settings.studyPolicy)
        let beat = try StudyBeat(of: record, person: person, receivedAt: now, deviceID: body.deviceID, position: report.loggedPosition,
                                 ip: req.clientIP)
        beat.snapshotTaken = record.snapshotPending
        beat.sequence = verdict.isVerified ? claims?.sequence : nil
        beat.rejection = verdict.rejection?.rawValue
        beat.credited = verdict.creditedSeconds
        guard try await recordBeat(beat, verdict, in: record, person: person, req: req) else {
            return try await BeatAnswer.refused(.replayed).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let studied = verdict.studied(before: creditedBefore)
        let signer = try await signer(req)
        let next = verdict.nextClaims.map { signer.sign($0) }
        return try await BeatAnswer(token: next, credited: verdict.creditedSeconds, studiedSeconds: studied,
                                    studiedLabel: StudyTime.label(seconds: studied), rejection: verdict.rejection?.label,
                                    reason: verdict.rejection?.rawValue, stop: next == nil, snapshotIn: nil)
            .encodeResponse(status: verdict.answersAsRefusal ? .unprocessableEntity : .ok, for: req)
    }

    /// The session the token names, or for a forged token the person's latest, so the rejected
    /// beat still shows in their anomaly report.
    private static func beatSession(_ claims: HeartbeatClaims?, of person: Person, on db: any Database) async throws -> StudySessionRecord? {
        let query = try StudySessionRecord.query(on: db).filter(\.$person.$id == person.requireID())
        if let claims { query.filter(\.$id == claims.sessionID) } else { query.sort(\.$startedAt, .descending) }
        return try await query.first()
    }

    /// Logs the beat and, when it was verified, moves the session on and adds what it credited;
    /// false when the beat was a replay (logged as such, nothing else changed).
    private static func recordBeat(_ beat: StudyBeat, _ judged: HeartbeatVerdict, in record: StudySessionRecord, person: Person,
                                   req: Request) async throws -> Bool {
        do {
            try await req.db.transaction { db in
                // The (session, sequence) pair is claimed by the insert: a second request with the
                // same token fails here and counts nothing.
                try await beat.create(on: db)
                guard judged.isVerified else { return }
                try record.apply(judged.session)
                record.snapshotPending = false
                try await record.save(on: db)
                if judged.creditedSeconds > 0 {
                    try await addProgress(person: person, courseID: record.courseID, seconds: judged.creditedSeconds, now: beat.receivedAt, on: db)
                }
            }
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure {
            let replay = try StudyBeat(of: record, person: person, receivedAt: beat.receivedAt, deviceID: beat.deviceID,
                                       position: beat.position, ip: beat.ip)
            replay.snapshotTaken = false
            replay.sequence = nil
            replay.rejection = HeartbeatRejection.replayed.rawValue
            replay.credited = 0
            try await replay.create(on: req.db)
            return false
        }
    }

    static func addProgress(person: Person, courseID: UUID, seconds: Double, now: Date, on db: any Database) async throws {
        guard let course = try await Course.find(courseID, on: db) else { return }
        let row = try await CourseProgress.query(on: db).filter(\.$person.$id == person.requireID()).filter(\.$course.$id == courseID).first()
            ?? {
                let r = CourseProgress()
                r.$person.id = try person.requireID()
                r.$course.id = courseID
                r.seconds = 0
                r.regionCode = person.regionCode
                return r
            }()
        row.seconds += seconds
        row.reached = StudyProgress(creditedSeconds: row.seconds, requiredHours: course.requiredHours).isReached
        row.updatedAt = now
        try await row.save(on: db)
    }

    struct SnapshotBody: Content {
        let token: String
        let image: String
    }

    /// A webcam frame (JPEG, base64) for the session the token names.
    static func snapshot(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let person = try await learner(req, user)
        let body = try req.content.decode(SnapshotBody.self)
        guard let claims = try await signer(req).verify(body.token), claims.personID == person.id,
              let record = try await StudySessionRecord.query(on: req.db).filter(\.$id == claims.sessionID)
                .filter(\.$person.$id == person.requireID()).first() else {
            throw Abort(.unprocessableEntity, reason: "学习会话无效")
        }
        let base64 = body.image.components(separatedBy: ",").last ?? ""
        guard let data = Data(base64Encoded: base64), data.count < 2_000_000, (try? JPEG.inspect(data)) != nil else {
            throw Abort(.unprocessableEntity, reason: "抓拍图片须为 JPEG")
        }
        let shot = StudySnapshot()
        shot.sessionID = try record.requireID()
        shot.personID = try person.requireID()
        shot.takenAt = req.now
        shot.jpeg = data
        record.snapshotPending = true
        try await req.db.transaction { db in
            try await shot.create(on: db)
            try await record.save(on: db)
        }
        var generator = SystemRandomNumberGenerator()
        return try await ["next": SnapshotSchedule.nextDelay(using: &generator, policy: req.application.settings.studyPolicy)]
            .encodeResponse(for: req)
    }

    static func snapshotImage(_ req: Request, _ user: CurrentUser) async throws -> Response {
        guard let shot = try await StudySnapshot.find(try req.idParameter(), on: req.db),
              try await Person.find(shot.personID, in: user.scope, on: req.db) != nil else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.contentType = .jpeg
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(data: shot.jpeg))
    }

    // MARK: The authority

    struct RecordRow: Encodable, Sendable {
        let name: String
        let idNumber: String
        let course: String
        let earned: String
        let required: String
        let reached: Bool
        let updated: String
        let anomaliesHref: String
    }

    struct RecordsModel: Encodable, Sendable {
        let rows: [RecordRow]
        let pagination: Pagination
        let reachedCount: Int
        let onlyReached: Bool
    }

    /// 查看达到学时人数: people in the region with their hours, and how many reached them.
    static func records(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let onlyReached = req.queryText("reached") == "1"
        func base() -> QueryBuilder<CourseProgress> {
            let q = CourseProgress.query(on: req.db).join(parent: \.$person).scopedByJoinedPerson(user.scope)
            return onlyReached ? q.filter(\.$reached == true) : q
        }
        let reachedCount = try await CourseProgress.query(on: req.db).join(parent: \.$person).scopedByJoinedPerson(user.scope)
            .filter(\.$reached == true).count()
        let page = try await base().join(parent: \.$course).sort(\.$updatedAt, .descending).page(for: req)
        let rows = try page.items.map { r in
            let p = try r.joined(Person.self)
            let c = try r.joined(Course.self)
            let progress = StudyProgress(creditedSeconds: r.seconds, requiredHours: c.requiredHours)
            return RecordRow(name: p.name, idNumber: Masking.idNumber(p.idNumber), course: c.title,
                             earned: "\(StudyProgress.label(tenths: progress.earnedTenths))（\(StudyTime.label(seconds: progress.creditedSeconds))）",
                             required: "\(c.requiredHours) 学时（\(StudyTime.label(seconds: progress.requiredSeconds))）",
                             reached: r.reached, updated: ChinaTime.format(r.updatedAt),
                             anomaliesHref: SiteURL.studyAnomalies.link + "?person=\(try p.requireID().uuidString)")
        }
        return try await req.render("study/records", title: "学时查询", RecordsModel(
            rows: rows, pagination: Pagination(metadata: page.metadata, path: SiteURL.studyRecords.link, filters: [("reached", onlyReached ? "1" : nil)]),
            reachedCount: reachedCount, onlyReached: onlyReached))
    }

    struct AnomalyRow: Encodable, Sendable {
        let kind: String
        let window: String
        let message: String
    }

    struct AnomaliesModel: Encodable, Sendable {
        let personName: String?
        let idNumber: String
        let maskedID: String
        let anomalies: [AnomalyRow]
        let beats: Int
        let rejected: Int
        let snapshots: [String]
    }

    /// 学习异常报告 for one person (by ID number or from the hours list).
    static func anomalies(_ req: Request, _ user: CurrentUser) async throws -> Response {
        var person: Person?
        if let id = req.queryText("person").flatMap(UUID.init(uuidString:)) {
            person = try await Person.find(id, in: user.scope, on: req.db)
        } else if let number = req.queryText("id_number") {
            person = try await Person.query(on: req.db).filter(\.$idNumber == TextNormalizationBridge.idNumber(number)).scoped(to: user.scope).first()
        }
        guard let person else {
            return try await req.render("study/anomalies", title: "学习异常报告", AnomaliesModel(
                personName: nil, idNumber: req.queryText("id_number") ?? "", maskedID: "", anomalies: [], beats: 0, rejected: 0, snapshots: []))
        }
        let beats = try await StudyBeat.query(on: req.db).filter(\.$personID == person.requireID()).sort(\.$receivedAt, .descending)
            .limit(5_000).all().reversed().map(\.recorded)
        let report = StudyAnomalyDetector.report(beats: Array(beats), policy: req.application.settings.studyPolicy)
        let shots = try await StudySnapshot.query(on: req.db).filter(\.$personID == person.requireID()).sort(\.$takenAt, .descending)
            .field(\.$id).limit(12).all()
        return try await req.render("study/anomalies", title: "学习异常报告", AnomaliesModel(
            personName: person.name, idNumber: req.queryText("id_number") ?? "", maskedID: Masking.idNumber(person.idNumber),
            anomalies: report.map { .init(kind: $0.kind.label, window: "\(ChinaTime.format($0.start)) — \(ChinaTime.format($0.end))", message: $0.message) },
            beats: beats.count, rejected: beats.filter { !$0.accepted }.count,
            snapshots: shots.map { SiteURL.studySnapshotImage(.id($0.id)).link }))
    }
}

extension StudyBeat {
    /// A beat of the session as received; the caller sets what the judge made of it.
    convenience init(of record: StudySessionRecord, person: Person, receivedAt: Date, deviceID: String, position: Double?,
                     ip: String) throws {
        self.init()
        sessionID = try record.requireID()
        personID = try person.requireID()
        self.receivedAt = receivedAt
        self.deviceID = deviceID
        self.ip = ip
        self.position = position
    }
}

extension Lesson {
    /// A new lesson of the course from its checked file; the caller numbers it.
    convenience init(_ checked: CheckedLessonFile, of c: Course, title: String, fileName: String, readingSeconds: Int, size: Int) throws {
        self.init()
        $course.id = try c.requireID()
        self.title = title
        kind = checked.kind.rawValue
        mediaType = checked.mediaType
        container = checked.container
        self.fileName = String(fileName.prefix(120))
        mediaSeconds = checked.duration
        durationSeconds = checked.duration.map { Int($0.rounded(.up)) } ?? readingSeconds
        self.size = size
    }
}
