/** SayCan: candidates, Say × Can decisions, the closed-loop agent, traces, and a precondition-based Can. */
export * from './decision.js';
export * from './agent.js';
export * from './format.js';
export * from './precondition-affordance.js';
export * from './suite.js';
export * from './planner-say.js';
