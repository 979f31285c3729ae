/** Bottom-up skill evolution: trajectories, reflection (statistical or LLM), composites, verification, UCT, refinement, pruning. */
export * from './composite.js';
export * from './trajectory.js';
export * from './abstraction.js';
export * from './uct.js';
export * from './verify.js';
export * from './refine.js';
export * from './reflect.js';
export * from './agent.js';
export * from './evolver.js';
