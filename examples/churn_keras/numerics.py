"""Numerically careful helpers shared by the churn model's losses."""
import tensorflow as tf

EPS = 1e-7


def safe_log(x, eps=EPS):
    """log(x) with x clipped into [eps, 1 - eps] (inputs are probabilities)."""
    return tf.math.log(tf.clip_by_value(x, eps, 1.0 - eps))


def safe_div(num, den, eps=EPS):
    return num / (den + eps)
