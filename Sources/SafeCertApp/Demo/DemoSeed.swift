import Fluent
import Foundation
import SafeCertCore
import SafeCertDocuments
import Vapor

/// `safecert seed --demo`: the organisations and one account per role that the README lists.
/// Idempotent: a second run finds the data and changes nothing.
enum DemoSeed {
    static let password = "Demo@2026"
    /// The dynamic-code secret of every demo account that needs the second step (README).
    static let totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

    struct DemoAccount: Sendable {
        let username: String
        let name: String
        let role: Role
        let organization: String
        let phone: String
    }

    /// The accounts in README order.
    static let accounts: [DemoAccount] = [
        .init(username: "sysadmin", name: "系统管理员", role: .systemAdmin, organization: "SafeCert 平台运营中心", phone: "13800000001"),
        .init(username: "secadmin", name: "安全管理员", role: .securityAdmin, organization: "SafeCert 平台运营中心", phone: "13800000002"),
        .init(username: "auditor", name: "审计管理员", role: .auditAdmin, organization: "SafeCert 平台运营中心", phone: "13800000003"),
        .init(username: "national", name: "部中心管理员", role: .nationalCentre, organization: "部考核中心", phone: "13800000004"),
        .init(username: "province", name: "省厅管理员", role: .provinceAuthority, organization: "吉林省应急管理厅", phone: "13800000005"),
        .init(username: "changchun", name: "长春市管理员", role: .cityAuthority, organization: "长春市应急管理局", phone: "13800000006"),
        .init(username: "jilincity", name: "吉林市管理员", role: .cityAuthority, organization: "吉林市应急管理局", phone: "13800000007"),
        .init(username: "association", name: "协会管理员", role: .association, organization: "吉林省安全生产协会", phone: "13800000008"),
        .init(username: "institution", name: "培训机构管理员", role: .trainingInstitution, organization: "长春安全生产培训学校", phone: "13800000009"),
        .init(username: "institution2", name: "培训点管理员", role: .trainingInstitution, organization: "吉林市职业安全培训中心", phone: "13800000010"),
        .init(username: "centre", name: "考核点管理员", role: .examCentre, organization: "长春市安全生产考核点", phone: "13800000011"),
        .init(username: "centre2", name: "考核点管理员", role: .examCentre, organization: "吉林市安全生产考核点", phone: "13800000012"),
        .init(username: "group", name: "集团管理员", role: .enterprise, organization: "吉林建工集团有限公司", phone: "13800000013"),
        .init(username: "branch", name: "分公司管理员", role: .enterprise, organization: "吉林建工集团吉林分公司", phone: "13800000014"),
        .init(username: "enterprise", name: "企业管理员", role: .enterprise, organization: "长春安达建筑工程有限公司", phone: "13800000015"),
    ]

    struct DemoPerson: Sendable {
        let name: String
        let idNumber: IDNumber
        let phone: String
        let employer: String
    }

    static let people: [DemoPerson] = [
        .init(name: "张伟", idNumber: IDNumber.generate(region: "220102", birth: CalendarDate(year: 1985, month: 3, day: 12)!, sequence: 31),
              phone: "13900000001", employer: "吉林建工集团有限公司"),
        .init(name: "李娜", idNumber: IDNumber.generate(region: "220104", birth: CalendarDate(year: 1990, month: 7, day: 8)!, sequence: 42),
              phone: "13900000002", employer: "长春安达建筑工程有限公司"),
        .init(name: "王强", idNumber: IDNumber.generate(region: "220202", birth: CalendarDate(year: 1978, month: 11, day: 23)!, sequence: 15),
              phone: "13900000003", employer: "吉林建工集团吉林分公司"),
    ]

    /// Employees of 长春安达 without accounts of their own: the people an enterprise enrols.
    static let employees: [DemoPerson] = [
        .init(name: "赵敏", idNumber: IDNumber.generate(region: "220102", birth: CalendarDate(year: 1992, month: 4, day: 2)!, sequence: 11),
              phone: "13900000011", employer: "长春安达建筑工程有限公司"),
        .init(name: "孙磊", idNumber: IDNumber.generate(region: "220103", birth: CalendarDate(year: 1988, month: 9, day: 15)!, sequence: 23),
              phone: "13900000012", employer: "长春安达建筑工程有限公司"),
        .init(name: "周杰", idNumber: IDNumber.generate(region: "220104", birth: CalendarDate(year: 1995, month: 1, day: 30)!, sequence: 35),
              phone: "13900000013", employer: "长春安达建筑工程有限公司"),
    ]

    /// A student of 吉林交通职业技术学院, registered by 长春安全生产培训学校: the person 院校报名 is for.
    static let students: [DemoPerson] = [
        .init(name: "刘洋", idNumber: IDNumber.generate(region: "220104", birth: CalendarDate(year: 2004, month: 5, day: 16)!, sequence: 27),
              phone: "13900000021", employer: "吉林交通职业技术学院"),
    ]

    /// A plain portrait-shaped picture (a head on a coloured ground), standing in for a real photo.
    static func demoPhoto(hue: Int, width: Int, height: Int) throws -> Data {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let cx = Double(width) / 2, cy = Double(height) * 0.4, r = Double(width) * 0.27
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let dx = Double(x) - cx, dy = Double(y) - cy
                let inHead = dx * dx + dy * dy < r * r
                let inBody = Double(y) > Double(height) * 0.68 && abs(dx) < Double(width) * 0.42
                if inHead {
                    (rgb[i], rgb[i + 1], rgb[i + 2]) = (240, 205, 175)
                } else if inBody {
                    (rgb[i], rgb[i + 1], rgb[i + 2]) = (40, 50, 70)
                } else {
                    (rgb[i], rgb[i + 1], rgb[i + 2]) = (UInt8(60 + hue % 60), UInt8(120 + hue % 80), 210)
                }
            }
        }
        return try JPEG.encode(rgb: rgb, width: width, height: height, quality: 90)
    }

    /// `awaitingExam`: also a finished welding class with 李娜 trained and waiting for an exam (the
    /// demo and the browser tests start there); the Swift tests make their own trained people.
    static func run(on app: Application, awaitingExam: Bool = true) async throws {
        let db = app.db
        if try await Account.query(on: db).filter(\.$username == "sysadmin").first() != nil {
            app.logger.info("演示数据已存在，未作改动")
            return
        }
        let hash = try await app.hashing.hash(password)
        try await db.transaction { db in
            func org(_ name: String, _ kind: OrganizationKind, _ level: AuthorityLevel? = nil, region: String,
                     credit: Int? = nil, group: Bool = false, parent: Organization? = nil) async throws -> Organization {
                // A school is a public institution (事业单位): its code starts with 12.
                let organization = Organization(
                    name: name, kind: kind, authorityLevel: level, regionCode: region,
                    creditCode: try credit.map { try CreditCode.generate(region: region, serial: $0, type: kind == .school ? "12" : "91").value },
                    isGroup: group, parentID: parent?.id)
                organization.contactPerson = "联系人"
                organization.contactPhone = "0431-88880000"
                try await organization.create(on: db)
                return organization
            }
            var byName: [String: Organization] = [:]
            for o in [
                try await org("SafeCert 平台运营中心", .platform, region: Region.nationwideCode),
                try await org("部考核中心", .authority, .national, region: Region.nationwideCode),
                try await org("吉林省应急管理厅", .authority, .province, region: "220000"),
                try await org("长春市应急管理局", .authority, .city, region: "220100"),
                try await org("吉林市应急管理局", .authority, .city, region: "220200"),
                try await org("吉林省安全生产协会", .association, region: "220000", credit: 11),
                try await org("长春安全生产培训学校", .trainingInstitution, region: "220100", credit: 21),
                try await org("吉林市职业安全培训中心", .trainingInstitution, region: "220200", credit: 22),
                try await org("长春市安全生产考核点", .examCentre, region: "220100", credit: 31),
                try await org("吉林市安全生产考核点", .examCentre, region: "220200", credit: 32),
                try await org("吉林建工职业技术学院", .school, region: "220100", credit: 41),
                try await org("吉林交通职业技术学院", .school, region: "220100", credit: 42),
            ] { byName[o.name] = o }
            let group = try await org("吉林建工集团有限公司", .enterprise, region: "220100", credit: 51, group: true)
            byName[group.name] = group
            byName["吉林建工集团吉林分公司"] = try await org("吉林建工集团吉林分公司", .enterprise, region: "220200", credit: 52, parent: group)
            byName["长春安达建筑工程有限公司"] = try await org("长春安达建筑工程有限公司", .enterprise, region: "220100", credit: 53)

            for demo in accounts {
                let account = Account(
                    username: demo.username, displayName: demo.name, passwordHash: hash, role: demo.role, phone: demo.phone,
                    organizationID: byName[demo.organization]?.id, mustChangePassword: false,
                    totpSecret: demo.role.requiresSecondFactor ? totpSecret : nil)
                try await account.create(on: db)
            }
            var seeded: [String: Person] = [:]
            for demo in people + employees + students {
                let employer = byName[demo.employer]
                let person = try Person(identity: demo.idNumber, name: demo.name, phone: demo.phone,
                                    regionCode: employer?.regionCode ?? "220100", employerID: employer?.id)
                if students.contains(where: { $0.name == demo.name }) {
                    person.$registeredBy.id = byName["长春安全生产培训学校"]?.id
                }
                person.status = .approved
                person.education = "高中/中专/技校"
                person.workStartDate = "2012-07-01"
                person.hasPhoto = true
                try await person.create(on: db)
                let photo = PersonPhoto()
                photo.jpeg = try demoPhoto(hue: (Int(demo.phone.suffix(2)) ?? 0) * 37, width: 295, height: 413)
                photo.thumbnail = try demoPhoto(hue: (Int(demo.phone.suffix(2)) ?? 0) * 37, width: 60, height: 84)
                photo.width = 295
                photo.height = 413
                photo.$person.id = try person.requireID()
                try await photo.create(on: db)
                seeded[demo.name] = person
                guard people.contains(where: { $0.name == demo.name }) else { continue }
                try await Account(username: demo.idNumber.value, displayName: demo.name, passwordHash: hash, role: .individual,
                                  phone: demo.phone, organizationID: nil, personID: person.id, mustChangePassword: false).create(on: db)
            }
            try await seedTraining(on: db, byName: byName, people: seeded, today: CalendarDate.today(now: app.appServices.clock.now()),
                                     awaitingExam: awaitingExam)
            try await seedExamRooms(on: db, byName: byName)
            try await Audit.record(on: db, actor: .system("safecert seed --demo"), action: "demo.seed", targetType: "system",
                                   targetID: nil, summary: "生成演示数据：\(byName.count) 个单位，\(accounts.count + people.count) 个用户",
                                   at: Date())
        }
        app.logger.info("演示数据已生成")
    }

    /// Two open classes in Changchun and a certificate for 王强 that is due for renewal, so the
    /// 1 March rule shows on his 我要报名 page.
    static func seedTraining(on db: any Database, byName: [String: Organization], people: [String: Person], today: CalendarDate,
                             awaitingExam: Bool) async throws {
        guard let school = byName["长春安全生产培训学校"], let association = byName["吉林省安全生产协会"],
              let province = byName["吉林省应急管理厅"] else { return }
        func makeClass(_ code: String, _ name: String, _ type: TrainingClassType, publisher: Organization, checksIn: Bool, fee: Int) async throws {
            let c = TrainingClass()
            c.code = code
            c.name = name
            c.classType = type
            c.qualificationCode = "TZ-DG"
            c.$institution.id = try school.requireID()
            c.$publisher.id = try publisher.requireID()
            c.regionCode = school.regionCode
            c.enrolmentDeadline = today.adding(days: 30).iso
            c.startDate = today.adding(days: 35).iso
            c.endDate = today.adding(days: 40).iso
            c.place = "长春市朝阳区工农大路 1000 号 培训楼 301"
            c.capacity = 50
            c.feeFen = fee
            c.institutionChecksIn = checksIn
            c.state = .published
            try await c.create(on: db)
        }
        try await makeClass("PX2026DEMO01", "低压电工作业取证培训班（第 1 期）", .initial, publisher: association, checksIn: false, fee: 80_000)
        try await makeClass("PX2026DEMO02", "低压电工作业换证培训班（第 1 期）", .renewal, publisher: province, checksIn: true, fee: 30_000)
        // A finished welding class: 李娜 passed its training and waits for an exam, so a plan can
        // be drafted, approved, checked in and scored in the demo right away.
        if awaitingExam {
            let welding = TrainingClass()
            welding.code = "PX2026DEMO03"
            welding.name = "熔化焊接与热切割作业取证培训班（已结业）"
            welding.classType = .initial
            welding.qualificationCode = "TZ-HJ"
            welding.$institution.id = try school.requireID()
            welding.$publisher.id = try association.requireID()
            welding.regionCode = school.regionCode
            welding.enrolmentDeadline = today.adding(days: -40).iso
            welding.startDate = today.adding(days: -35).iso
            welding.endDate = today.adding(days: -5).iso
            welding.place = "长春市朝阳区工农大路 1000 号 实训车间"
            welding.capacity = 30
            welding.feeFen = 90_000
            welding.institutionChecksIn = false
            welding.state = .finished
            try await welding.create(on: db)
            if let learner = people["李娜"] {
                let e = Enrolment()
                e.$trainingClass.id = try welding.requireID()
                e.$person.id = try learner.requireID()
                e.qualificationCode = "TZ-HJ"
                e.regionCode = learner.regionCode
                e.kind = .standard
                e.channel = "enterprise"
                e.$employer.id = learner.$employer.id
                e.$enrolledBy.id = learner.$employer.id
                e.state = .trained
                e.feeFen = 90_000
                e.paid = true
                e.syncActiveKey()
                try await e.create(on: db)
            }
        }
        if let holder = people["王强"] {
            let issued = today.adding(years: -6).adding(days: 20)
            try await HeldCertificate(personID: holder.requireID(), qualificationCode: "TZ-DG", number: "T220202197811230157",
                                      issuedOn: issued, expiresOn: issued.adding(years: 6)).create(on: db)
        }
    }

    /// Each demo exam centre gets a computer room and a practical site.
    static func seedExamRooms(on db: any Database, byName: [String: Organization]) async throws {
        let rooms: [(String, String, ExamRoomKind, Int, String?)] = [
            ("长春市安全生产考核点", "第一机考室", .computer, 40, "10.22.1.0/26"),
            ("长春市安全生产考核点", "电工实操场地", .practical, 12, nil),
            ("吉林市安全生产考核点", "机考室", .computer, 30, "10.22.2.10-10.22.2.49"),
        ]
        for (centreName, name, kind, capacity, ip) in rooms {
            guard let centre = byName[centreName] else { continue }
            let room = ExamRoom()
            room.$centre.id = try centre.requireID()
            room.name = name
            room.kind = kind
            room.capacity = capacity
            room.address = centreName + " " + name
            room.ipRange = ip.flatMap { try? IPv4Range($0).description }
            room.disabled = false
            room.regionCode = centre.regionCode
            try await room.create(on: db)
        }
    }
}
