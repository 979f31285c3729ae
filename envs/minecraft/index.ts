/** Minecraft for skillforge: connection, Voyager primitives, observation, Environment, tech tree, skill templates, guide. */
export * from './environment.js';
export * from './connection.js';
export * from './observation.js';
export * from './tech-tree.js';
export * from './guide.js';
export * from './recipes.js';
export { MinecraftTechTree, MINECRAFT_MILESTONES } from './tech-tree.js';
export { MINECRAFT_GUIDE, milestonesReached } from './guide.js';
export * from './top-down-map.js';
export * from './skill-templates.js';
