import Fluent
import SQLKit
import Foundation
import SafeCertCore
import Vapor

/// The one way a person joins a class, whoever enrols them: gathers the facts, asks
/// `EnrolmentCheck`, and writes the enrolment with its audit entry.
enum EnrolmentService {
    typealias Channel = EnrolmentChannel

    struct Refusal: Error {
        let reasons: [String]
        var message: String { reasons.joined(separator: "；") }
    }

    /// The one function the blacklist (停考, the online-exam issue) will answer; until then no
    /// one is suspended.
    static func suspendedUntil(personID: UUID, on db: any Database) async throws -> CalendarDate? {
        nil
    }

    static func validCertificate(personID: UUID, qualification: String, on db: any Database) async throws -> HeldCertificate? {
        try await HeldCertificate.query(on: db).filter(\.$person.$id == personID).filter(\.$qualificationCode == qualification)
            .filter(\.$status == "valid").sort(\.$expiresOn, .descending).first()
    }

    /// `enrolled`: the places taken, when the caller has counted them (a batch counts once and
    /// adds the rows before this one); `school`: 院校报名, for students only.
    static func facts(person: Person, trainingClass c: TrainingClass, details: EnrolmentDetails, catalogue: QualificationCatalogue,
                      today: CalendarDate, school: Bool = false, enrolled: Int? = nil, on db: any Database) async throws -> EnrolmentFacts {
        let existing = try await Enrolment.query(on: db).filter(\.$person.$id == person.requireID())
            .filter(\.$qualificationCode == c.qualificationCode).with(\.$trainingClass).all()
        let taken: Int
        if let enrolled { taken = enrolled } else { taken = try await EnrolmentCounts.taken(classIDs: [c.requireID()], on: db)[c.requireID()] ?? 0 }
        let employer = try await person.$employer.get(on: db)
        let certificate = try await validCertificate(personID: person.requireID(), qualification: c.qualificationCode, on: db)
        let province = QualificationCatalogue.provinceCode(of: c.regionCode)
        let rule = catalogue.terms(for: c.qualificationCode, province: province, on: today)?.eligibility ?? EligibilityRule()
        let birth = person.birthDate.flatMap(CalendarDate.init(iso:)) ?? today
        let applicant = Applicant(
            birthDate: birth, education: person.education.flatMap(Education.init(label:)),
            yearsOfExperience: details.experience(on: today) ?? person.workStartDate.flatMap(CalendarDate.init(iso:)).map { $0.age(on: today) },
            hasMedicalCheck: details.hasMedicalCheck, hasHealthCommitment: details.hasHealthCommitment,
            blacklistedUntil: try await suspendedUntil(personID: person.requireID(), on: db))
        return EnrolmentFacts(
            classType: c.classType, classState: c.state, deadline: c.deadline, capacity: c.capacity, enrolled: taken,
            personApproved: person.status == .approved,
            existing: existing.map { .init(className: $0.trainingClass.name, sameClass: $0.$trainingClass.id == c.id, state: $0.state) },
            certificate: certificate.flatMap { cert in
                guard let issued = cert.issued, let expires = cert.expires else { return nil }
                return .init(number: cert.number, issued: issued, expires: expires)
            },
            applicant: applicant, rule: rule, today: today, schoolEnrolment: school,
            employer: employer.map { .init(kind: $0.kind, name: $0.name) })
    }

    /// Checks and writes one enrolment; throws `Refusal` with every reason.
    @discardableResult
    static func enrol(person: Person, into c: TrainingClass, channel: Channel, details: EnrolmentDetails,
                      employerName: String?, employerCreditCode: String?, by user: CurrentUser, req: Request,
                      catalogue: QualificationCatalogue, on db: any Database) async throws -> Enrolment {
        if !person.hasPhoto { throw Refusal(reasons: ["缺少一寸照片：请先上传照片"]) }
        try await lockClassRow(c, on: db)
        let today = CalendarDate.today(now: req.now)
        let facts = try await facts(person: person, trainingClass: c, details: details, catalogue: catalogue, today: today,
                                    school: channel == .school, on: db)
        let reasons = EnrolmentCheck.refusals(facts)
        if !reasons.isEmpty { throw Refusal(reasons: reasons) }
        let state: EnrolmentState
        do { state = try EnrolmentWorkflow.submit(EnrolmentContext(kind: channel.kind, suspended: false)) } catch { throw Refusal(reasons: [error.message]) }
        let e = try newEnrolment(of: person, in: c, channel: channel, state: state, details: details, today: today)
        e.$enrolledBy.id = channel == .individual ? nil : user.organizationID
        e.employerName = employerName
        e.employerCreditCode = employerCreditCode
        do {
            try await e.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Refusal(reasons: ["该人员已有同一资格的报名正在办理，不能重复报名"])
        }
        try await req.audit(user, "enrolment.create", on: db, target: "enrolment", e.id?.uuidString,
                            summary: "\(person.name)（\(Masking.idNumber(person.idNumber))）报名「\(c.name)」（\(c.code)），\(e.channelLabel)；状态 \(state.label)")
        return e
    }

    /// Touches the class row: on PostgreSQL this locks it until the transaction ends, so
    /// enrolments into one class are counted one after another and the last place goes once
    /// (SQLite has one writer at a time anyway).
    private static func lockClassRow(_ c: TrainingClass, on db: any Database) async throws {
        if let sql = db as? any SQLDatabase {
            try await sql.update(TrainingClass.schema).set("capacity", to: SQLColumn("capacity")).where("id", .equal, c.requireID()).run()
        }
    }

    /// The enrolment row as submitted, before it is created: the 报名表 details, the fee, and a
    /// payment notice when it is confirmed at once.
    private static func newEnrolment(of person: Person, in c: TrainingClass, channel: Channel, state: EnrolmentState,
                                     details: EnrolmentDetails, today: CalendarDate) throws -> Enrolment {
        let e = Enrolment()
        e.$trainingClass.id = try c.requireID()
        e.$person.id = try person.requireID()
        e.qualificationCode = c.qualificationCode
        e.regionCode = person.regionCode
        e.kind = channel.kind
        e.channel = channel.rawValue
        e.$employer.id = person.$employer.id
        e.state = state
        e.workStartDate = details.workStartDate?.iso
        e.yearsInTrade = details.yearsInTrade
        e.resume = details.resume
        e.employerOpinion = details.employerOpinion
        e.feeFen = c.feeFen
        e.paid = false
        if state == .confirmed { e.paymentNotice = paymentNoticeNumber(today) }
        e.syncActiveKey()
        return e
    }

    /// The online study of the enrolment's course (its qualification and class type), from the
    /// kept per-course totals; nil when there is no such course.
    static func studyProgress(of e: Enrolment, on db: any Database) async throws -> StudyProgress? {
        guard let c = try await TrainingClass.find(e.$trainingClass.id, on: db) else { return nil }
        let courses = try await Course.query(on: db).filter(\.$qualificationCode == e.qualificationCode)
            .filter(\.$classType == c.classType).limit(20).all()
        guard let required = courses.map(\.requiredHours).max() else { return nil }
        let seconds = try await CourseProgress.query(on: db).filter(\.$person.$id == e.$person.id)
            .filter(\.$course.$id ~~ courses.map { try $0.requireID() }).all().map(\.seconds).max() ?? 0
        return StudyProgress(creditedSeconds: seconds, requiredHours: required)
    }

    static func paymentNoticeNumber(_ today: CalendarDate) -> String {
        "JF" + today.iso.replacingOccurrences(of: "-", with: "") + Tokens.digits(6)
    }

    /// One transition with its audit entry; returns the refusal message instead of throwing.
    static func apply(_ event: EnrolmentEvent, to e: Enrolment, actor: EnrolmentActor, user: CurrentUser, req: Request,
                      on db: any Database, extra: String = "") async throws -> String? {
        let before = e.state
        let today = CalendarDate.today(now: req.now)
        let suspended = BlacklistCheck.isSuspended(until: try await suspendedUntil(personID: e.$person.id, on: db), on: today)
        var resit = false
        var hoursReached = false
        if case .schedule = event, e.state == .failed || e.state == .absent {
            resit = try await ExamResultRoutes.resitAvailable(e, today: today, on: db)
        }
        if case .schedule = event, e.state == .inTraining {
            hoursReached = try await studyProgress(of: e, on: db)?.isReached ?? false
        }
        do {
            e.state = try EnrolmentWorkflow.transition(e.state, event, context: EnrolmentContext(
                kind: e.kind, actor: actor, paid: e.paid, suspended: suspended, resitAvailable: resit,
                studyHoursReached: hoursReached))
        } catch {
            return error.message
        }
        switch event {
        case .refuse(let reason), .reviewReturn(let reason), .cancel(let reason): e.stateReason = reason
        case .confirm:
            e.stateReason = nil
            if e.paymentNotice == nil { e.paymentNotice = paymentNoticeNumber(CalendarDate.today(now: req.now)) }
        case .checkIn: e.checkedInAt = req.now
        case .submit, .reviewPass: e.stateReason = nil
        default: break
        }
        e.syncActiveKey()
        do {
            try await e.save(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return "该人员已有同一资格的报名正在办理，不能重新提交"
        }
        try await req.audit(user, "enrolment.\(auditName(event))", on: db, target: "enrolment", e.id?.uuidString,
                            summary: "\(event.action)：\(before.label) → \(e.state.label)" + (e.stateReason.map { "；原因：\($0)" } ?? "") + extra)
        return nil
    }

    static func auditName(_ event: EnrolmentEvent) -> String {
        switch event {
        case .submit: "resubmit"
        case .confirm: "confirm"
        case .refuse: "refuse"
        case .checkIn: "check-in"
        case .recordTrainingResult: "training-result"
        case .reviewPass: "review-pass"
        case .reviewReturn: "review-return"
        case .cancel: "cancel"
        default: "update"
        }
    }
}
