package evtx

import (
	"path/filepath"
	"testing"
)

// TestNativeExpectedCounts checks that every sample yields exactly the
// number of records EXPECTED_COUNTS.tsv lists, none twice, and that every
// sample is listed.
func TestNativeExpectedCounts(t *testing.T) {
	shared := sharedDir(t)
	want := expectedCounts(t, shared)
	files := sampleFiles(t, shared)
	for _, rel := range files {
		t.Run(rel, func(t *testing.T) {
			n, ok := want[filepath.ToSlash(rel)]
			if !ok {
				t.Fatalf("%s is not in EXPECTED_COUNTS.tsv", rel)
			}
			for _, jobs := range []int{1, 3} {
				recs, rep, err := parseAll(t, Native{Jobs: jobs}, filepath.Join(shared, "samples", rel))
				if err != nil {
					t.Fatalf("jobs=%d: %v", jobs, err)
				}
				seen := map[[2]int64]bool{}
				for _, r := range recs {
					k := [2]int64{r.ChunkOffset, r.Offset}
					if seen[k] {
						t.Errorf("jobs=%d: record at chunk 0x%x offset 0x%x yielded twice", jobs, r.ChunkOffset, r.Offset)
					}
					seen[k] = true
				}
				if len(recs) != n || rep.Records != n {
					t.Errorf("jobs=%d: got %d records (report says %d), want %d; errors: %v", jobs, len(recs), rep.Records, n, rep.Errors)
				}
			}
		})
	}
	if len(files) != len(want) {
		t.Errorf("%d sample files, %d rows in EXPECTED_COUNTS.tsv", len(files), len(want))
	}
}
