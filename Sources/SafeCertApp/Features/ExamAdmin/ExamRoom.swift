import Fluent
import Foundation
import SafeCertCore

/// 考场 of an exam centre (seed 000 5.2.1): added, edited, viewed and disabled — never deleted.
final class ExamRoom: Model, @unchecked Sendable {
    static let schema = "exam_rooms"

    @ID(key: .id) var id: UUID?
    @Parent(key: "centre_id") var centre: Organization
    @Field(key: "name") var name: String
    @Enum(key: "kind") var kind: ExamRoomKind
    /// 核定人数: the room's seats.
    @Field(key: "capacity") var capacity: Int
    @Field(key: "address") var address: String
    @OptionalField(key: "ip_range") var ipRange: String?
    @Field(key: "disabled") var disabled: Bool
    @Field(key: "region_code") var regionCode: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var auditSummary: String {
        "\(name)（\(kind.label)）；核定 \(capacity) 人；\(address)" + (ipRange.map { "；IP 段 \($0)" } ?? "") + (disabled ? "；已停用" : "")
    }
}

extension QueryBuilder where Model == ExamRoom {
    /// A centre its own rooms; authorities the rooms of centres in their region; the national
    /// centre and the platform all; training institutions the rooms of their region (to plan exams).
    func scoped(to scope: AccessScope, role: Role, regionCode: String) -> Self {
        switch scope {
        case .everything: return self
        case .region(let prefix): return filter(\.$regionCode =~ prefix)
        case .organizations(let ids):
            if role == .trainingInstitution { return filter(\.$regionCode =~ Region.scopePrefix(of: QualificationCatalogue.provinceCode(of: regionCode) ?? regionCode)) }
            return filter(\.$centre.$id ~~ ids)
        case .person: return filter(\.$id ~~ [UUID]())
        }
    }
}
