/** Acting: grounding calls, running skills in the sandbox, recording attempts. Every agent acts through here. */
export * from './grounding.js';
export * from './program.js';
export * from './skill-runner.js';
export * from './attempt.js';
export * from './planner.js';
