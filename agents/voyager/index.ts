/** The Voyager-style lifelong learner: loop, curricula, skill writers, critic, offline planner baseline. */
export * from './learner.js';
export * from './curriculum.js';
export * from './skill-writer.js';
export * from './critic.js';
export * from './describe.js';
export * from './offline-planner.js';
export * from './state.js';
export * from './team.js';
