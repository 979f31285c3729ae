/** SayCan's mock kitchen: pure world model, observation encoding, goals, instructions, planner, Environment wrapper. */
export * from './layout.js';
export * from './world.js';
export * from './goals.js';
export * from './observation.js';
export * from './primitives.js';
export * from './planner.js';
export * from './instructions.js';
export * from './environment.js';
