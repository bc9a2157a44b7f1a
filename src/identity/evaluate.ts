/** Pairwise and cluster quality of a predicted grouping against the truth (notes/identity.md §9). */
export interface LinkageMetrics {
  records: number;
  trueEntities: number;
  clusters: number;
  truePairs: number;
  predictedPairs: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  /** Clusters holding more than one true person (overlays). */
  falseMergeClusters: number;
  /** falseMergeClusters / clusters. */
  falseMergeRate: number;
  /** True persons spread over more than one cluster (duplicates left). */
  splitEntities: number;
  /** splitEntities / trueEntities. */
  splitRate: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

function countBy<K>(keys: Iterable<K>): Map<K, number> {
  const out = new Map<K, number>();
  for (const k of keys) out.set(k, (out.get(k) ?? 0) + 1);
  return out;
}

/**
 * Pairs are counted through the truth × prediction contingency table, so the cost is linear in
 * the records even when a cluster is huge.
 */
export function evaluateClusters(truth: readonly string[], predicted: readonly (string | number)[]): LinkageMetrics {
  if (truth.length !== predicted.length) throw new Error(`truth has ${truth.length} labels, prediction ${predicted.length}`);
  const trueSizes = countBy(truth);
  const predSizes = countBy(predicted);
  const cells = countBy(truth.map((t, i) => `${t}\u0000${String(predicted[i])}`));
  const truePairs = [...trueSizes.values()].reduce((s, n) => s + pairs(n), 0);
  const predictedPairs = [...predSizes.values()].reduce((s, n) => s + pairs(n), 0);
  const truePositives = [...cells.values()].reduce((s, n) => s + pairs(n), 0);
  const personsPerCluster = countBy([...cells.keys()].map((k) => k.slice(k.indexOf('\u0000') + 1)));
  const clustersPerPerson = countBy([...cells.keys()].map((k) => k.slice(0, k.indexOf('\u0000'))));
  const falseMergeClusters = [...personsPerCluster.values()].filter((n) => n > 1).length;
  const splitEntities = [...clustersPerPerson.values()].filter((n) => n > 1).length;
  const precision = predictedPairs ? truePositives / predictedPairs : 1;
  const recall = truePairs ? truePositives / truePairs : 1;
  return {
    records: truth.length,
    trueEntities: trueSizes.size,
    clusters: predSizes.size,
    truePairs,
    predictedPairs,
    truePositives,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    falseMergeClusters,
    falseMergeRate: predSizes.size ? falseMergeClusters / predSizes.size : 0,
    splitEntities,
    splitRate: trueSizes.size ? splitEntities / trueSizes.size : 0,
  };
}
