import Fluent
import Foundation
import SafeCertCore
import Vapor

/// 批量报名: the template filled in, with photos named by ID number (seed 002).
extension EnrolRoutes {
    /// A row of the file that passed every check, with the photo to save for it (if one came).
    struct AcceptedRow: Sendable {
        let number: Int
        let person: Person
        let details: EnrolmentDetails
        let photo: PersonPhotoRoutes.CheckedPhoto?
    }

    static let maximumBatchRows = ImportLimits.enrolments

    struct BatchRefused: Error {
        let problems: [BatchProblem]
    }

    /// What every step of one batch shares: who enrols whom into which class, and how.
    struct Batch: Sendable {
        let req: Request
        let user: CurrentUser
        let trainingClass: TrainingClass
        let channel: EnrolmentService.Channel
        let catalogue: QualificationCatalogue
        let today: CalendarDate
        let photos: BatchPhotos
        /// False when the class is closed or past its deadline: that is said once, not per row.
        let classOpen: Bool
    }

    /// Decides everything first — every row's format, person, photo and eligibility, all of a
    /// row's problems together, rows in order — and only when nothing is wrong writes the photos
    /// and the enrolments in one transaction, so a refused file changes nothing at all.
    static func enrolBatch(_ req: Request, _ user: CurrentUser) async throws -> Response {
        let c = try await openClass(req, user)
        let (submitted, channel) = try submittedBatch(req, user, c)
        var model = submitted
        guard let file = req.uploadedFile("file"), file.data.readableBytes > 0 else {
            return try await renderBatch(req, model, problems: [.init(row: "-", column: "文件", reason: "请选择填好的批量报名表（.xlsx）")])
        }
        let photos: BatchPhotos
        switch try await PersonPhotoRoutes.uploadedPhotos(req, field: "photos") {
        case .failure(let refusal):
            return try await renderBatch(req, model, problems: [.init(row: "-", column: "照片", reason: refusal.message + "；未报名任何人员")],
                                         status: refusal.isTooLarge ? .payloadTooLarge : .unprocessableEntity)
        case .success(let uploads): photos = BatchPhotos(uploads)
        }
        let today = CalendarDate.today(now: req.now)
        let sheet: BatchSheet
        switch try await readBatchSheet(file, today: today, req) {
        case .failure(let problem): return try await renderBatch(req, model, problems: [problem.problem])
        case .success(let read): sheet = read
        }
        var fileProblems = photos.problems + sheet.problems
        if sheet.readings.isEmpty && fileProblems.isEmpty {
            model.notice = "表格中没有要报名的人员（示例行不会报名），未报名任何人员"
            return try await req.render("training/enrol-batch", title: "批量报名", model)
        }
        let closed = classClosedProblem(c, today: today)
        fileProblems += closed.map { [$0] } ?? []
        let batch = Batch(req: req, user: user, trainingClass: c, channel: channel, catalogue: try await CatalogueStore.load(on: req.db),
                          today: today, photos: photos, classOpen: closed == nil)
        let check = try await checkRows(sheet.readings, batch)
        guard fileProblems.isEmpty && check.problems.isEmpty else {
            return try await renderBatch(req, model, problems: fileProblems + check.problemsInRowOrder)
        }
        do {
            model.enrolled = try await writeBatch(check.accepted, batch)
            return try await req.render("training/enrol-batch", title: "批量报名", model)
        } catch let refused as BatchRefused {
            return try await renderBatch(req, model, problems: refused.problems)
        }
    }

    /// The page model of a submitted batch, and the channel it enrols through: 院校报名 when that
    /// is all the user has, or when ticked and offered.
    private static func submittedBatch(_ req: Request, _ user: CurrentUser, _ c: TrainingClass) throws -> (BatchModel, EnrolmentChannel) {
        let channels = channels(for: user)
        guard !channels.isEmpty else { throw Abort(.forbidden) }
        var model = batchModel(req, user, c)
        model.submitted = true
        model.school = channels == [.school] || (channels.contains(.school) && req.field("school") != nil)
        guard let channel = EnrolmentChannel.chosen(from: channels, school: model.school) else { throw Abort(.forbidden) }
        return (model, channel)
    }

    private static func renderBatch(_ req: Request, _ model: BatchModel, problems: [BatchProblem],
                                    status: HTTPStatus = .unprocessableEntity) async throws -> Response {
        var model = model
        model.problems = problems
        return try await req.render("training/enrol-batch", title: "批量报名", model, status: status)
    }

    // MARK: Gathering the file

    /// The uploaded photos by ID number; a name that isn't one is a problem of the file.
    struct BatchPhotos: Sendable {
        var files: [String: Data] = [:]
        var oversized: Set<String> = []
        var problems: [BatchProblem] = []

        init(_ uploads: PersonPhotoRoutes.PhotoUploads) {
            for name in uploads.oversized {
                if let number = PersonPhotoRoutes.idNumber(fromFileName: name) { oversized.insert(number) } else { problems.append(Self.badName(name)) }
            }
            for (name, content) in uploads.files {
                guard let number = PersonPhotoRoutes.idNumber(fromFileName: name) else {
                    problems.append(Self.badName(name))
                    continue
                }
                files[number] = content
            }
        }

        private static func badName(_ name: String) -> BatchProblem {
            .init(row: "-", column: "照片", reason: "「\(PersonPhotoRoutes.fileBaseName(name))」：文件名应为“证件号码.jpg”")
        }
    }

    /// The sheet's rows, with the row-limit problem when it had more.
    struct BatchSheet: Sendable {
        let readings: [(Int, EnrolmentImportTemplate.Reading)]
        let problems: [BatchProblem]
    }

    struct UnreadableSheet: Error {
        let problem: BatchProblem
    }

    private static func readBatchSheet(_ file: File, today: CalendarDate, _ req: Request) async throws -> Result<BatchSheet, UnreadableSheet> {
        switch try await UploadedSheet.read(file, limit: maximumBatchRows, on: req.application.documentPool, {
            EnrolmentImportTemplate.read($0, today: today)
        }) {
        case .failure(let error):
            return .failure(UnreadableSheet(problem: .init(row: "-", column: "文件", reason: "「\(file.filename)」：\(error.message)")))
        case .success(let sheet):
            let pastLimit = sheet.firstRowPastLimit.map {
                [BatchProblem(row: "第 \($0) 行", column: "-", reason: "一次最多报名 \(maximumBatchRows) 人，请拆分后分批上传")]
            }
            return .success(BatchSheet(readings: sheet.readings, problems: pastLimit ?? []))
        }
    }

    /// The class first: closed or past its deadline, no row can join.
    private static func classClosedProblem(_ c: TrainingClass, today: CalendarDate) -> BatchProblem? {
        do {
            try TrainingClassWorkflow.checkEnrolmentOpen(state: c.state, deadline: c.deadline, capacity: Int.max, enrolled: 0, on: today)
            return nil
        } catch {
            return .init(row: "-", column: "培训班", reason: error.message)
        }
    }

    // MARK: Checking the rows

    /// Every row's problems by row number, and the rows that passed.
    struct BatchRowCheck {
        var problems: [Int: [BatchProblem]] = [:]
        var accepted: [AcceptedRow] = []
        var idNumbers = DuplicateRows<String>()
        /// Places taken, counting the rows accepted so far.
        var taken: Int

        mutating func add(_ row: Int, _ column: String, _ reason: String) {
            problems[row, default: []].append(BatchProblem(row: "第 \(row) 行", column: column, reason: reason))
        }

        var problemsInRowOrder: [BatchProblem] { problems.keys.sorted().flatMap { problems[$0] ?? [] } }
    }

    private static func checkRows(_ readings: [(Int, EnrolmentImportTemplate.Reading)], _ batch: Batch) async throws -> BatchRowCheck {
        let classID = try batch.trainingClass.requireID()
        var check = BatchRowCheck(taken: try await EnrolmentCounts.taken(classIDs: [classID], on: batch.req.db)[classID] ?? 0)
        for (number, reading) in readings {
            for issue in reading.issues { check.add(number, issue.column, issue.reason) }
            guard !reading.idNumber.isEmpty else { continue }
            let id = TextNormalizationBridge.idNumber(reading.idNumber)
            if let first = check.idNumbers.earlierRow(naming: id, at: number) {
                check.add(number, "证件号码", "与第 \(first) 行重复")
                continue
            }
            guard let person = try await Person.query(on: batch.req.db).filter(\.$idNumber == id).scoped(to: batch.user.scope).first() else {
                check.add(number, "证件号码", "未在本单位登记的人员中找到该证件号码")
                continue
            }
            if !reading.name.isEmpty, person.name != reading.name {
                check.add(number, "姓名", "姓名「\(reading.name)」与登记的「\(person.name)」不一致")
            }
            let photo = try await checkPhoto(id, of: person, row: number, batch, &check)
            if batch.classOpen {
                let facts = try await EnrolmentService.facts(
                    person: person, trainingClass: batch.trainingClass, details: reading.details, catalogue: batch.catalogue,
                    today: batch.today, school: batch.channel == .school, enrolled: check.taken, on: batch.req.db)
                for reason in EnrolmentCheck.refusals(facts) { check.add(number, person.name, reason) }
            }
            if check.problems[number] == nil {
                check.accepted.append(AcceptedRow(number: number, person: person, details: reading.details, photo: photo))
                check.taken += 1
            }
        }
        return check
    }

    /// The row's photo, checked: the one uploaded for it, or none when the person has one registered.
    private static func checkPhoto(_ id: String, of person: Person, row: Int, _ batch: Batch,
                                   _ check: inout BatchRowCheck) async throws -> PersonPhotoRoutes.CheckedPhoto? {
        if batch.photos.oversized.contains(id) {
            check.add(row, "照片", "\(id).jpg：\(PersonPhotoRoutes.oversizedMessage)")
        } else if let photo = batch.photos.files[id] {
            switch try await PersonPhotoRoutes.check(photo, pool: batch.req.application.documentPool) {
            case .failure(let error): check.add(row, "照片", "\(id).jpg：\(error.message)")
            case .success(let ok): return ok
            }
        } else if !person.hasPhoto {
            check.add(row, "照片", "缺少一寸照片：请一同上传“\(id).jpg”")
        }
        return nil
    }

    // MARK: Writing

    /// The photos and enrolments in one transaction; throws `BatchRefused` (rolling all back)
    /// when a row is refused after all, which only a concurrent change can cause.
    private static func writeBatch(_ rows: [AcceptedRow], _ batch: Batch) async throws -> [String] {
        let (req, user, c) = (batch.req, batch.user, batch.trainingClass)
        return try await req.db.transaction { db -> [String] in
            var names: [String] = []
            var refusals: [BatchProblem] = []
            for row in rows {
                if let photo = row.photo {
                    try await PersonPhotoRoutes.save(photo, for: row.person, on: db)
                    try await req.audit(user, "person.photo", on: db, target: "person", row.person.id?.uuidString,
                                        summary: "批量报名上传照片 \(photo.info.width)×\(photo.info.height)")
                }
                let employer = try await row.person.$employer.get(on: db)
                do {
                    try await EnrolmentService.enrol(person: row.person, into: c, channel: batch.channel, details: row.details,
                                                     employerName: employer?.name, employerCreditCode: employer?.creditCode,
                                                     by: user, req: req, catalogue: batch.catalogue, on: db)
                    names.append(row.person.name)
                } catch let refusal as EnrolmentService.Refusal {
                    refusals += refusal.reasons.map { .init(row: "第 \(row.number) 行", column: row.person.name, reason: $0) }
                }
            }
            if !refusals.isEmpty { throw BatchRefused(problems: refusals) }
            try await req.audit(user, "enrolment.batch", on: db, target: "class", c.id?.uuidString,
                                summary: "批量报名「\(c.name)」：\(names.count) 人" + (batch.channel == .school ? "（院校报名）" : ""))
            return names
        }
    }
}
