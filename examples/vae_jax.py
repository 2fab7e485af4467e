"""Small VAE decoder for the sensor-trace experiments (JAX / Flax)."""
import flax.linen as nn
import jax
import jax.numpy as jnp
import optax


def sqrt_lu(x):
    """Square-root linear unit: slope 1/2 below zero, sqrt-compressed above (tames outliers)."""
    return jnp.where(x > 0, jnp.sqrt(1.0 + x) - 1.0, 0.5 * x)


@jax.custom_vjp
def softclip(x):
    """Smoothly clip to (-5, 5)."""
    return 5.0 * jnp.tanh(x / 5.0)


def _softclip_fwd(x):
    return softclip(x), x


def _softclip_bwd(x, g):
    t = jnp.tanh(x / 5.0)
    return (g * (1.0 - t * t),)


softclip.defvjp(_softclip_fwd, _softclip_bwd)


def kl_weight(step, warmup=10_000):
    """KL annealing: ramp the KL term from 0 to 1 over `warmup` steps."""
    return jnp.minimum(1.0, step / warmup)


class Decoder(nn.Module):
    features: int = 128

    @nn.compact
    def __call__(self, z):
        h = sqrt_lu(nn.Dense(256)(z))
        h = softclip(nn.Dense(256)(h))
        return nn.Dense(self.features)(h)


def make_optimizer():
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1e-3, 1_000, 100_000)
    return optax.adam(schedule)
