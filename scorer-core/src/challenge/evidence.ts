/**
 * What a session's challenge history does to its verdict: challenges served without a pass
 * (failed or abandoned) raise the score like an independent rule (noisy-OR, rule
 * `challenge_unanswered`); a pass, for the rest of the session's life, then removes a fraction of
 * the score, never below a floor rule of the verdict. docs/scoring.md gives the figures.
 * @module
 */
import type { ReasonCode, RuleScore } from '../reasons.js';
import type { ChallengeSettings } from '../settings.js';
import type { SessionState } from '../state.js';
import type { Verdict } from '../verdict.js';

/** Score of `count` unanswered challenges, each worth `perChallenge` (noisy-OR: 30, 51, 66, …). */
export function unansweredScore(count: number, perChallenge: number): number {
  return count <= 0 ? 0 : Math.round(100 * (1 - (1 - perChallenge / 100) ** count));
}

/**
 * `floors`: rules a pass never discounts (the verdict's floors and the behaviour rules): the score
 * stays at least their highest.
 */
export function applyChallengeEvidence(
  verdict: Verdict,
  state: SessionState,
  settings: ChallengeSettings,
  floors: readonly RuleScore[] = [],
): Verdict {
  const unanswered = unansweredScore(state.challengesUnanswered, settings.unansweredScore);
  const passed = state.challengePassedAtS !== null;
  if (unanswered === 0 && !passed) return verdict;
  let score = 100 * (1 - (1 - verdict.score / 100) * (1 - unanswered / 100));
  let reasons: ReasonCode[] = verdict.reasons;
  if (unanswered > 0)
    reasons =
      unanswered >= verdict.score
        ? ['challenge_unanswered', ...verdict.reasons]
        : [...verdict.reasons, 'challenge_unanswered'];
  if (passed) score *= 1 - settings.passDiscount;
  let floor = 0;
  for (const rule of floors) if (rule.score > floor) floor = rule.score;
  return { ...verdict, score: Math.max(Math.round(score), floor), reasons };
}
