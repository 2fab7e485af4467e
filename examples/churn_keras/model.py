"""Model definition and training entry point for the churn project."""
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

from .losses import clipped_bce, ltv_squared_error, multilabel_bce, ported_bce


def binary_gate(x):
    """Hard 0/1 gate on the interaction branch, so the scorecard stays readable."""
    return tf.round(tf.sigmoid(x))


def standardize(features, mean, std):
    """Column-wise z-score with the training-set statistics."""
    return (features - mean) / (std + 1e-6)


def recall_at_half(y_true, y_pred):
    predicted = tf.cast(y_pred > 0.5, tf.float32)
    return tf.reduce_sum(predicted * y_true) / (tf.reduce_sum(y_true) + 1e-7)


def step_decay(epoch, lr):
    """Halve the learning rate every 10 epochs."""
    return lr * 0.5 if epoch > 0 and epoch % 10 == 0 else lr


def build(n_features, n_products=12):
    inputs = keras.Input(shape=(n_features,))
    x = layers.Dense(128, activation="relu")(inputs)
    gate = layers.Dense(128, activation=binary_gate)(x)
    x = layers.Multiply()([x, gate])
    churn = layers.Dense(1, activation="sigmoid", name="churn")(x)
    upsell = layers.Dense(1, activation="sigmoid", name="upsell")(x)
    products = layers.Dense(n_products, activation="sigmoid", name="products")(x)
    ltv = layers.Dense(1, name="ltv")(x)
    return keras.Model(inputs, [churn, upsell, products, ltv])


def train(train_ds, val_ds, stats, n_features):
    mean, std = stats
    train_ds = train_ds.map(lambda f, y: (standardize(f, mean, std), y))
    val_ds = val_ds.map(lambda f, y: (standardize(f, mean, std), y))
    model = build(n_features)
    model.compile(
        optimizer=keras.optimizers.Adam(3e-4),
        loss={
            "churn": clipped_bce(1e-6),
            "upsell": ported_bce,
            "products": multilabel_bce,
            "ltv": ltv_squared_error,
        },
        loss_weights={"churn": 1.0, "upsell": 0.5, "products": 0.5, "ltv": 0.1},
        metrics={"churn": [recall_at_half], "upsell": [recall_at_half]},
    )
    callbacks = [keras.callbacks.LearningRateScheduler(step_decay)]
    return model.fit(train_ds, validation_data=val_ds, epochs=40, callbacks=callbacks)
