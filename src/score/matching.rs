//! One-to-one matching of expected calls to actual calls. Several expected
//! calls of the same tool ("play Taylor Swift for 20 minutes and Maroon 5
//! for 15") each need their own actual call, in any order: a maximum
//! bipartite matching, not a greedy one (a greedy matcher fails correct
//! answers given in another order, as BFCL's does).

/// For each expected call, the actual call it is matched to, maximising the
/// number matched. `fits(i, j)`: actual call `j` satisfies expected call `i`.
/// Kuhn's augmenting paths: O(E·V), and completions make a handful of calls.
pub fn any_order(
    expected: usize,
    actual: usize,
    fits: &dyn Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    let adjacent: Vec<Vec<usize>> = (0..expected)
        .map(|i| (0..actual).filter(|&j| fits(i, j)).collect())
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; actual];
    for i in 0..expected {
        let mut seen = vec![false; actual];
        augment(i, &adjacent, &mut owner, &mut seen);
    }
    let mut out = vec![None; expected];
    for (j, o) in owner.iter().enumerate() {
        if let Some(i) = o {
            out[*i] = Some(j);
        }
    }
    out
}

fn augment(
    i: usize,
    adjacent: &[Vec<usize>],
    owner: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    for &j in &adjacent[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        let free = match owner[j] {
            None => true,
            Some(k) => augment(k, adjacent, owner, seen),
        };
        if free {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

/// The expected calls matched, in their order, to actual calls in
/// increasing position (other calls may come between). Taking the earliest
/// fitting call each time matches the longest prefix possible.
pub fn in_order(
    expected: usize,
    actual: usize,
    fits: &dyn Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    let mut out = vec![None; expected];
    let mut next = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        match (next..actual).find(|&j| fits(i, j)) {
            Some(j) => {
                *slot = Some(j);
                next = j + 1;
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_order_finds_the_perfect_matching_a_greedy_pass_misses() {
        // Expected 0 fits calls 0 and 1; expected 1 fits only call 0. Greedy
        // gives call 0 to expected 0 and leaves expected 1 unmatched.
        let fits = |i: usize, j: usize| matches!((i, j), (0, 0) | (0, 1) | (1, 0));
        assert_eq!(any_order(2, 2, &fits), vec![Some(1), Some(0)]);
    }

    #[test]
    fn one_call_cannot_satisfy_two_expected_calls() {
        let fits = |_: usize, j: usize| j == 0;
        let m = any_order(2, 1, &fits);
        assert_eq!(m.iter().flatten().count(), 1);
    }

    #[test]
    fn in_order_needs_increasing_positions() {
        // Expected a then b; the calls are b, a.
        let fits = |i: usize, j: usize| i + j == 1;
        assert_eq!(in_order(2, 2, &fits), vec![Some(1), None]);
        assert_eq!(any_order(2, 2, &fits), vec![Some(1), Some(0)]);
        let same = |i: usize, j: usize| i == j;
        assert_eq!(in_order(2, 3, &same), vec![Some(0), Some(1)]);
    }
}
