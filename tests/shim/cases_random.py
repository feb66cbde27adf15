"""Random fallbacks, compared value for value with torch after seeding both generators."""
import ctypes

import torch

from checks import case, refused, same, seeded
from shim_eager import RET, f64, i32, i64, ints


# --- random (the process generator, seeded as torch's) ---------------------------------------

@case("aoti_torch_cpu_rand_generator", "aoti_torch_cpu_randn_generator", "aoti_torch_cpu_rand_like_generator",
      "aoti_torch_cpu_randn_like_generator", "aoti_torch_cpu_randint", "aoti_torch_cpu_randint_generator",
      "aoti_torch_cpu_randint_like", "aoti_torch_cpu_randint_like_low_dtype")
def random_overloads(s):
    like = torch.empty(3, 5, dtype=torch.float64).t()
    seeded(s, 7)
    same(s.call("aoti_torch_cpu_rand_generator", ints([4, 33]), None, None, None, None, i32(0), None, RET),
         torch.rand(4, 33))
    seeded(s, 8)
    same(s.call("aoti_torch_cpu_randn_generator", ints([40]), None, None, None, None, i32(0), None, RET), torch.randn(40))
    seeded(s, 9)
    same(s.call("aoti_torch_cpu_rand_like_generator", like, None, None, None, None, i32(0), None, None, RET),
         torch.rand_like(like))
    seeded(s, 10)
    same(s.call("aoti_torch_cpu_randn_like_generator", like, None, None, None, None, i32(0), None, None, RET),
         torch.randn_like(like))
    seeded(s, 11)
    same(s.call("aoti_torch_cpu_randint", i64(100), ints([3, 7]), None, None, None, i32(0), None, RET),
         torch.randint(100, (3, 7)))
    seeded(s, 12)
    same(s.call("aoti_torch_cpu_randint_generator", i64(5), ints([20]), None, None, None, None, i32(0), None, RET),
         torch.randint(5, (20,)))
    ilike = torch.empty(4, 6, dtype=torch.int32)
    seeded(s, 13)
    same(s.call("aoti_torch_cpu_randint_like", ilike, i64(9), None, None, None, i32(0), None, None, RET),
         torch.randint_like(ilike, 9))
    seeded(s, 14)
    same(s.call("aoti_torch_cpu_randint_like_low_dtype", like, i64(-3), i64(3), None, None, None, i32(0), None, None,
                RET), torch.randint_like(like, -3, 3))
    fake_generator = ctypes.pointer(ctypes.c_void_p(1))
    refused(s, "aoti_torch_cpu_rand_generator", ints([2]), fake_generator, None, None, None, i32(0), None, RET)


@case("aoti_torch_cpu_bernoulli__float", "aoti_torch_cpu_bernoulli__Tensor", "aoti_torch_cpu_exponential")
def bernoulli_exponential(s):
    for shape, t in (((7, 33), False), ((40, 30), True)):
        p = torch.rand(*shape)
        seeded(s, 21)
        got = torch.empty(*shape, dtype=torch.float64)
        target = got.t() if t else got
        s.call("aoti_torch_cpu_bernoulli__Tensor", target, p.t() if t else p, None)
        want = torch.empty(*shape, dtype=torch.float64)
        (want.t() if t else want).bernoulli_(p.t() if t else p)
        same(got, want)
    for dtype in (torch.float32, torch.float64, torch.int32, torch.bool, torch.float16):
        for n in (1, 7, 100, 3000):
            seeded(s, 3)
            got = torch.empty(n, dtype=dtype)
            s.call("aoti_torch_cpu_bernoulli__float", got, f64(0.3), None)
            torch.manual_seed(3)
            same(got, torch.empty(n, dtype=dtype).bernoulli_(0.3))
    seeded(s, 5)
    got = torch.empty(40, 30)
    s.call("aoti_torch_cpu_bernoulli__float", got.t(), f64(0.4), None)
    torch.manual_seed(5)
    want = torch.empty(40, 30)
    want.t().bernoulli_(0.4)
    same(got, want)
    for dtype in (torch.float32, torch.float64, torch.bfloat16):
        like = torch.empty(5, 9, dtype=dtype).t()
        seeded(s, 8)
        got = s.call("aoti_torch_cpu_exponential", like, f64(2.0), None, RET)
        torch.manual_seed(8)
        same(got, like.clone().exponential_(2.0))
    refused(s, "aoti_torch_cpu_bernoulli__float", torch.empty(4), f64(1.5), None)
    refused(s, "aoti_torch_cpu_exponential", torch.empty(4, dtype=torch.int64), f64(1.0), None, RET)
