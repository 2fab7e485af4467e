"""Customer churn / upsell models (tf.keras)."""
