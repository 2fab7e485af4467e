(module
  (memory (export "memory") 3)
  ;; c (n × m) = a (n × k) · b (k × m), row-major f64 at byte offsets pa, pb, pc: the depth stack's
  ;; matrix product (src/core/probe/matmul.ts), two output columns at a time in f64x2 lanes. Every
  ;; output element is summed exactly as matmulJs sums it (c + a0·b0 + a1·b1 + a2·b2 + a3·b3, four
  ;; k-terms a step, left to right, a step whose four a's are all 0 skipped, then the k mod 4 terms
  ;; one at a time): lane-wise f64 adds and multiplies round as scalar ones do, so the results are
  ;; bit-identical. After editing: npm run gen:wasm.
  (func (export "matmul") (param $pa i32) (param $pb i32) (param $pc i32) (param $n i32) (param $k i32) (param $m i32)
    (local $i i32) (local $p i32) (local $j i32)
    (local $row i32) (local $ai i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $mb i32)
    (local $a0 f64) (local $a1 f64) (local $a2 f64) (local $a3 f64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $cj i32)
    (memory.fill (local.get $pc) (i32.const 0) (i32.mul (i32.mul (local.get $n) (local.get $m)) (i32.const 8)))
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $i) (local.get $mb))))
      (local.set $ai (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 3))))
      (local.set $p (i32.const 0))
      (block $quads_done (loop $quads
        (br_if $quads_done (i32.ge_s (i32.add (local.get $p) (i32.const 3)) (local.get $k)))
        (local.set $a0 (f64.load (i32.add (local.get $ai) (i32.shl (local.get $p) (i32.const 3)))))
        (local.set $a1 (f64.load offset=8 (i32.add (local.get $ai) (i32.shl (local.get $p) (i32.const 3)))))
        (local.set $a2 (f64.load offset=16 (i32.add (local.get $ai) (i32.shl (local.get $p) (i32.const 3)))))
        (local.set $a3 (f64.load offset=24 (i32.add (local.get $ai) (i32.shl (local.get $p) (i32.const 3)))))
        (if (i32.eqz (i32.and (i32.and (f64.eq (local.get $a0) (f64.const 0)) (f64.eq (local.get $a1) (f64.const 0)))
                              (i32.and (f64.eq (local.get $a2) (f64.const 0)) (f64.eq (local.get $a3) (f64.const 0)))))
          (then
            (local.set $o0 (i32.add (local.get $pb) (i32.mul (local.get $p) (local.get $mb))))
            (local.set $o1 (i32.add (local.get $o0) (local.get $mb)))
            (local.set $o2 (i32.add (local.get $o1) (local.get $mb)))
            (local.set $o3 (i32.add (local.get $o2) (local.get $mb)))
            (local.set $v0 (f64x2.splat (local.get $a0)))
            (local.set $v1 (f64x2.splat (local.get $a1)))
            (local.set $v2 (f64x2.splat (local.get $a2)))
            (local.set $v3 (f64x2.splat (local.get $a3)))
            (local.set $j (i32.const 0))
            (block $vec_done (loop $vec
              (br_if $vec_done (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $m)))
              (local.set $cj (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
              (v128.store (local.get $cj)
                (f64x2.add
                  (f64x2.add
                    (f64x2.add
                      (f64x2.add (v128.load (local.get $cj))
                        (f64x2.mul (local.get $v0) (v128.load (i32.add (local.get $o0) (i32.shl (local.get $j) (i32.const 3))))))
                      (f64x2.mul (local.get $v1) (v128.load (i32.add (local.get $o1) (i32.shl (local.get $j) (i32.const 3))))))
                    (f64x2.mul (local.get $v2) (v128.load (i32.add (local.get $o2) (i32.shl (local.get $j) (i32.const 3))))))
                  (f64x2.mul (local.get $v3) (v128.load (i32.add (local.get $o3) (i32.shl (local.get $j) (i32.const 3)))))))
              (local.set $j (i32.add (local.get $j) (i32.const 2)))
              (br $vec)))
            (block $tail_done (loop $tail
              (br_if $tail_done (i32.ge_s (local.get $j) (local.get $m)))
              (local.set $cj (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
              (f64.store (local.get $cj)
                (f64.add (f64.add (f64.add (f64.add (f64.load (local.get $cj))
                  (f64.mul (local.get $a0) (f64.load (i32.add (local.get $o0) (i32.shl (local.get $j) (i32.const 3))))))
                  (f64.mul (local.get $a1) (f64.load (i32.add (local.get $o1) (i32.shl (local.get $j) (i32.const 3))))))
                  (f64.mul (local.get $a2) (f64.load (i32.add (local.get $o2) (i32.shl (local.get $j) (i32.const 3))))))
                  (f64.mul (local.get $a3) (f64.load (i32.add (local.get $o3) (i32.shl (local.get $j) (i32.const 3)))))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $tail)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $quads)))
      ;; the k % 4 terms left, one at a time
      (block $rest_done (loop $rest
        (br_if $rest_done (i32.ge_s (local.get $p) (local.get $k)))
        (local.set $a0 (f64.load (i32.add (local.get $ai) (i32.shl (local.get $p) (i32.const 3)))))
        (if (f64.ne (local.get $a0) (f64.const 0))
          (then
            (local.set $o0 (i32.add (local.get $pb) (i32.mul (local.get $p) (local.get $mb))))
            (local.set $j (i32.const 0))
            (block $one_done (loop $one
              (br_if $one_done (i32.ge_s (local.get $j) (local.get $m)))
              (local.set $cj (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 3))))
              (f64.store (local.get $cj) (f64.add (f64.load (local.get $cj)) (f64.mul (local.get $a0) (f64.load (i32.add (local.get $o0) (i32.shl (local.get $j) (i32.const 3)))))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $one)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rest)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )
)
