/**
 * scorer-core: the pure scoring library of session-scorer. No runtime imports, no I/O; clock
 * and randomness are inputs.
 * @module
 */
export {
  ScorerError,
  bytesToHex,
  equalBytesConstantTime,
  hexToBytes,
  type RandomBytes,
} from './_internal.js';
export {
  createAesGcm,
  AES_KEY_LENGTH,
  GCM_NONCE_LENGTH,
  GCM_TAG_LENGTH,
  type AesGcmContext,
  type AesGcmOptions,
} from './aead.js';
export { base64UrlDecode, base64UrlEncode } from './base64url.js';
export {
  backtrackingRisk,
  createClassifier,
  normalizePath,
  STATIC_CLASS,
  type Classifier,
  type ClassifierConfig,
  type ClassifierRule,
} from './classifier.js';
export { applyChallengeEvidence, unansweredScore } from './challenge/evidence.js';
export {
  issueChallenge,
  recordChallengeIssued,
  recordChallengePassed,
  verifyChallenge,
  type ChallengeCheck,
  type ChallengeRefusal,
  type IssuedChallenge,
  type IssueOptions,
} from './challenge/challenge.js';
export {
  CHALLENGE_TOKEN_BYTES,
  CHALLENGE_TOKEN_LENGTH,
  CHALLENGE_TOKEN_VERSION,
  challengeTag,
  decodeToken as decodeChallengeToken,
  macInput as challengeMacInput,
  type ChallengeToken,
  type HmacSha256,
} from './challenge/token.js';
export {
  leadingZeroBits,
  meetsDifficulty,
  parseCounter,
  solveWork,
  workHash,
} from './challenge/work.js';
export {
  COOKIE_BYTES,
  COOKIE_NONCE_PREFIX_CHARS,
  COOKIE_FORMAT_VERSION,
  COOKIE_FORMAT_VERSION_V1,
  COOKIE_VALUE_LENGTH,
  createCookieCodec,
  MAX_REALM_BYTES,
  NONCE_BUDGET_SEALS,
  nonceBudgetUsed,
  type CookieCodec,
  type OpenResult,
} from './cookie.js';
export { DEFAULT_CLASSIFIER, STATIC_ASSET_REGEX } from './default-classifier.js';
export { ipv4Octets, ipv6Groups } from './ip-address.js';
export { seededRandom } from './seeded-random.js';
export {
  createKeyRing,
  type CookieKeyConfig,
  type KeyLookup,
  type KeyRing,
  type KeyRingConfig,
} from './keyring.js';
export {
  cookieComplianceScore,
  cookieReplayScore,
  dwellScores,
  dwellStats,
  fastBrowsingScore,
  recordPageGap,
  sessionVolumeScore,
  type CookieStatus,
  type DwellStats,
} from './layer1.js';
export {
  recordPageView,
  transitionScore,
  transitionStats,
  type TransitionStats,
} from './layer2.js';
export {
  loadModel,
  modelTag,
  MODEL_FORMAT,
  OTHER_CLASS,
  type ModelDocument,
  type TransitionModel,
} from './model.js';
export { REASON_CODES, type ReasonCode, type RuleScore } from './reasons.js';
export {
  createScorer,
  sessionIdHash,
  shortHash,
  type Decision,
  type DecisionInput,
  type Scorer,
  type ScorerOptions,
} from './scorer.js';
export {
  DEFAULT_SETTINGS,
  resolveSettings,
  type ChallengeSettings,
  type ScorerSettings,
  type SettingsOverrides,
} from './settings.js';
export {
  decodeState,
  DWELL_WINDOW_CAPACITY,
  encodeState,
  PAGE_CLASS_NONE,
  PAGE_CLASS_UNKNOWN,
  newSessionState,
  SESSION_ID_LENGTH,
  SessionFlag,
  STATE_LENGTH,
  STATE_LENGTH_V1,
  validateState,
  type SessionState,
} from './state.js';
export { combine, DEFAULT_THRESHOLD, type ExtraEvidence, type Verdict } from './verdict.js';
export {
  loadCombiner,
  MAX_LEARNED_REASONS,
  MIN_REASON_CONTRIBUTION,
  type Combiner,
  type CombinerDocument,
  type LearnedScore,
  type LogisticCombinerDocument,
  type ScoreMapDocument,
  type TreeDocument,
  type TreesCombinerDocument,
} from './combine/learned.js';
export { clientFamily, clientFamilyTag, cookieMovedScore } from './signals/client-binding.js';
export { DECLARED_TOOLS, declaredToolScore } from './signals/declared-tools.js';
export {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_REASONS,
  featureFamily,
  fillFeatures,
  type ClientFacts,
  type FeatureFamily,
  type FeatureName,
  type SessionFacts,
} from './signals/features.js';
export {
  claimedCrawler,
  CRAWLER_NAMES,
  crawlerFacts,
  crawlerRules,
  CRAWLERS,
  SPOOFED_CRAWLER_SCORE,
  type CrawlerDefinition,
  type CrawlerFacts,
} from './signals/crawlers.js';
export {
  claimedBrowser,
  headerRules,
  headerSignals,
  type BrowserFamily,
  type ClaimedBrowser,
  type HeaderSignals,
} from './signals/headers.js';
export type { BrowserHeaders, ClientMemory, RequestFacts } from './signals/inputs.js';
export {
  CRAWLER_PATH,
  FEED_PATH,
  refererPath,
  requestSignals,
  SCANNER_PATH,
  type RequestSignals,
} from './signals/request.js';
