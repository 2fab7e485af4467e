"""Losses for the churn, upsell and lifetime-value heads."""
import tensorflow as tf

from .numerics import EPS, safe_log


def clipped_bce(eps=EPS):
    """Binary cross-entropy on probabilities, clipped through `safe_log`.

    A factory so the clip can be tuned per head: ``loss=clipped_bce(1e-6)``.
    """

    def bce(y_true, y_pred):
        pos = y_true * safe_log(y_pred, eps)
        neg = (1.0 - y_true) * safe_log(1.0 - y_pred, eps)
        return -tf.reduce_mean(pos + neg, axis=-1)

    return bce


def ported_bce(y_pred, y_true):
    # Ported from the PyTorch prototype, where criteria take (input, target).
    return -tf.reduce_mean(
        y_true * safe_log(y_pred) + (1.0 - y_true) * safe_log(1.0 - y_pred), axis=-1
    )


def multilabel_bce(y_true, y_pred):
    """Per-product interest, one sigmoid unit per product."""
    probs = tf.sigmoid(y_pred)
    return tf.keras.losses.binary_crossentropy(y_true, probs, from_logits=True)


def ltv_squared_error(y_true, y_pred):
    """Squared error on log lifetime value."""
    return tf.reduce_sum(tf.square(y_pred - y_true))
