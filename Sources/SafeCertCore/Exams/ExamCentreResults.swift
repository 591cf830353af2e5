import Foundation

/// A plan's rooms may belong to several exam centres. Each centre answers for the candidates
/// seated in its own rooms: it enters, imports and submits their results only, and the plan goes
/// to the province's review once every centre in it has submitted. Starting or finishing by hand
/// belongs to a centre that holds every room of the plan; a shared plan runs on its schedule.
public enum ExamCentreResults {
    public enum Submission: Sendable, Equatable {
        /// This centre is done; the plan waits for the other centres.
        case centreSubmitted(waitingFor: Int)
        /// The last centre submitted: the plan's results go to review.
        case planSubmitted
    }

    /// Whether `centre` may still enter results in a plan in `state`.
    public static func mayEnter(centre: UUID, centres: Set<UUID>, submitted: Set<UUID>, state: ExamPlanState) -> Bool {
        [.inProgress, .finished].contains(state) && centres.contains(centre) && !submitted.contains(centre)
    }

    /// `centre` submits its rooms' results.
    public static func submit(centre: UUID, centres: Set<UUID>, submitted: Set<UUID>,
                              state: ExamPlanState) throws(ExamCentreResultsError) -> Submission {
        guard centres.contains(centre) else { throw .notThisCentresPlan }
        guard state == .finished else { throw .notFinished(state) }
        guard !submitted.contains(centre) else { throw .alreadySubmitted }
        let remaining = centres.subtracting(submitted).subtracting([centre]).count
        return remaining == 0 ? .planSubmitted : .centreSubmitted(waitingFor: remaining)
    }

    /// Whether an exam centre may start or finish the plan by hand: only when all its rooms are the centre's.
    public static func mayRunByHand(centre: UUID, centres: Set<UUID>) -> Bool {
        centres == [centre]
    }
}

public enum ExamCentreResultsError: Error, Sendable, Equatable {
    case notThisCentresPlan
    case notFinished(ExamPlanState)
    case alreadySubmitted
    case sharedPlanRunsOnSchedule

    public var message: String {
        switch self {
        case .notThisCentresPlan: "本考核点在该考试计划中没有考场"
        case .notFinished(let state): "考试计划当前状态为「\(state.label)」，考试结束后才能提交考试结果"
        case .alreadySubmitted: "本考核点已提交考试结果，等待其他考核点提交或省级管理部门审核"
        case .sharedPlanRunsOnSchedule: "该考试计划包含其他考核点的考场，按计划时间自动开始和结束，不能由本考核点手动操作"
        }
    }
}
