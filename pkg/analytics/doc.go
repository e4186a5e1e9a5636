// Package analytics builds the engagement, event and churn reports (spec
// 06-analytics.md) over the activity dumps: timelines of new, active and
// lost users, the current user base, usage distributions, events, churn
// and per-user properties.
//
// One pass feeds an Accumulator per worker (a source.Sink): per distinct
// observation of a user and per (observation, day) it keeps events,
// sessions (by session id, or by the gap rule as bounded spans) and
// runtime, after the global filters. Accumulators merge associatively;
// Build resolves identities once and folds the cells into a Dataset of
// users and their days, from which each report's model is built. A model
// lays itself out as Tables, the one form the renderers take.
package analytics
